import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { JobDef } from '@ballast/platform/jobs/define-job.js';
import type { DispatchReport } from '@ballast/platform/jobs/dispatcher.js';
import type { Platform } from '@ballast/platform/platform.js';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalClock } from './clock.js';
import type { LocalQueues } from './queues.js';

type Worker = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type Dispatcher = () => Promise<DispatchReport>;

export interface DrainReport {
  /** messages handed to workers, by job */
  delivered: Record<string, number>;
  /** deliveries a worker reported failed, by job (retried until the dead-letter queue takes them) */
  failed: Record<string, number>;
}

export interface TickReport extends DispatchReport, DrainReport {}

function jobContext(job: JobDef): Context {
  const name = `ballast-local-${job.queue}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => (job.timeoutSeconds ?? 60) * 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The cloud's job plumbing, locally: the same dispatcher and worker modules Lambda runs, over the
 * in-process SQS emulator. A tick dispatches due work and then delivers queued messages to their
 * workers the way Lambda's event source mapping does — batches of ten, successes deleted, failed
 * ones visible again (at once, locally) until the dead-letter queue takes them.
 */
export class LocalJobs {
  private readonly sqs: SQSClient;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly jobs: readonly JobDef[],
    private readonly queues: LocalQueues,
    private readonly clock: LocalClock,
    private readonly platform: () => Platform,
  ) {
    this.sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: queues.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  private async load<T>(module: string): Promise<T> {
    const loaded = (await import(pathToFileURL(join(this.root, module)).href)) as { handler: T };
    return loaded.handler;
  }

  /** Sets the clock (if `at` is given), dispatches what is due, and delivers until the queues are idle. */
  tick(atMs?: number): Promise<TickReport> {
    const next = this.running.then(async () => {
      if (atMs !== undefined) this.clock.set(atMs);
      const dispatch = await this.load<Dispatcher>('functions/jobs/dispatcher.ts');
      const report = await dispatch();
      return { ...report, ...(await this.deliver()) };
    });
    this.running = next.catch(() => undefined);
    return next;
  }

  /** Delivers queued messages to their workers until every queue is empty (or `maxRounds`). */
  async deliver(maxRounds = 50): Promise<DrainReport> {
    const delivered: Record<string, number> = {};
    const failed: Record<string, number> = {};
    for (let round = 0; round < maxRounds; round++) {
      let received = 0;
      for (const job of this.jobs) {
        const url = this.queues.urls[job.id];
        const res = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          }),
        );
        const messages = res.Messages ?? [];
        if (!messages.length) continue;
        received += messages.length;
        delivered[job.id] = (delivered[job.id] ?? 0) + messages.length;
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.MessageId ?? randomUUID(),
            receiptHandle: m.ReceiptHandle ?? '',
            body: m.Body ?? '',
            attributes: {
              ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
              SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
              SenderId: 'local',
              ApproximateFirstReceiveTimestamp: String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:local:000000000000:${this.queues.names[job.id].queue}`,
            awsRegion: 'local',
          })),
        };
        let failedIds: Set<string>;
        try {
          const worker = await this.load<Worker>(job.handler);
          const result = await worker(event, jobContext(job));
          failedIds = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        } catch (e) {
          // The whole batch failed (Powertools throws when every record did): all are retried.
          this.platform().logger.error('local job batch failed', { job: job.id, error: e as Error });
          failedIds = new Set(event.Records.map((r) => r.messageId));
        }
        const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
        if (done.length) {
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: url,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        }
        for (const m of messages.filter((x) => failedIds.has(x.MessageId ?? ''))) {
          failed[job.id] = (failed[job.id] ?? 0) + 1;
          // Visible again at once: locally there is no reason to wait out the visibility timeout.
          await this.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: url,
              ReceiptHandle: m.ReceiptHandle ?? '',
              VisibilityTimeout: 0,
            }),
          );
        }
      }
      if (!received) break;
    }
    return { delivered, failed };
  }

  /** A tick at every minute boundary of the local clock, like the cloud's EventBridge rule. */
  startMinuteTick(): void {
    const schedule = () => {
      const wait = 60_000 - (this.clock.now() % 60_000) + 50;
      this.timer = setTimeout(() => {
        this.tick().catch((e: unknown) => this.platform().logger.error('local tick failed', { error: e as Error }));
        schedule();
      }, wait);
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.sqs.destroy();
  }
}
