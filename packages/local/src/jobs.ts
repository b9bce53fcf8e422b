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

/** One invocation's context; `lane` names its execution environment (its log stream), as Lambda's does. */
function jobContext(job: JobDef, lane = 0): Context {
  const name = `ballast-local-${job.queue}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local-${lane}`,
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

  /** Workers at once per job, where a test set its own (a job's `concurrency` otherwise). */
  private readonly concurrencyOverride = new Map<string, number>();

  /** Runs a job with this many workers at once (`undefined`: its declared `concurrency` again). */
  setConcurrency(jobId: string, workers: number | undefined): void {
    if (workers === undefined) this.concurrencyOverride.delete(jobId);
    else this.concurrencyOverride.set(jobId, Math.max(1, Math.floor(workers)));
  }

  private concurrencyOf(job: JobDef): number {
    return this.concurrencyOverride.get(job.id) ?? job.concurrency ?? 1;
  }

  /**
   * Sets the clock (if `at` is given), dispatches what is due, and delivers until the queues are
   * idle, or for `rounds` rounds only (a test that stops work half-way).
   */
  tick(atMs?: number, rounds?: number): Promise<TickReport> {
    const next = this.running.then(async () => {
      if (atMs !== undefined) this.clock.set(atMs);
      const dispatch = await this.load<Dispatcher>('functions/jobs/dispatcher.ts');
      const report = await dispatch();
      return { ...report, ...(await this.deliver(rounds)) };
    });
    this.running = next.catch(() => undefined);
    return next;
  }

  /**
   * Delivers queued messages to their workers until every queue is empty (or `maxRounds`). In a
   * round each job gets as many invocations at once as its concurrency allows (one by default),
   * each with its own batch of up to `batchSize` messages (ten by default), as Lambda's event
   * source mapping would run them.
   */
  async deliver(maxRounds = 50): Promise<DrainReport> {
    const delivered: Record<string, number> = {};
    const failed: Record<string, number> = {};
    for (let round = 0; round < maxRounds; round++) {
      let received = 0;
      for (const job of this.jobs) {
        const lanes = Array.from({ length: this.concurrencyOf(job) }, (_, lane) => this.deliverBatch(job, lane));
        for (const batch of await Promise.all(lanes)) {
          received += batch.received;
          if (batch.received) delivered[job.id] = (delivered[job.id] ?? 0) + batch.received;
          if (batch.failed) failed[job.id] = (failed[job.id] ?? 0) + batch.failed;
        }
      }
      if (!received) break;
    }
    return { delivered, failed };
  }

  /** One invocation of a job's worker on one batch of its queue's messages. */
  private async deliverBatch(job: JobDef, lane: number): Promise<{ received: number; failed: number }> {
    const url = this.queues.urls[job.id];
    const res = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, job.batchSize ?? 10),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    const messages = res.Messages ?? [];
    if (!messages.length) return { received: 0, failed: 0 };
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
      const result = await worker(event, jobContext(job, lane));
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
    const retried = messages.filter((x) => failedIds.has(x.MessageId ?? ''));
    for (const m of retried) {
      // Visible again at once: locally there is no reason to wait out the visibility timeout.
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        }),
      );
    }
    return { received: messages.length, failed: retried.length };
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
