import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mapLimit } from './concurrency.js';
import type { JobEnvelope } from './envelope.js';
import type { JobQueues } from './queue.js';

/** SQS accepts at most ten messages per SendMessageBatch. */
const BATCH = 10;
const IN_FLIGHT = 16;

/**
 * SQS queues by job id → queue URL. Only the dispatcher and the workers whose job declares `sends`
 * link this (so the SQS client stays out of every route bundle); workers receive through their
 * event source mapping.
 */
export class SqsJobQueues implements JobQueues {
  constructor(
    private readonly client: SQSClient,
    private readonly urls: Readonly<Record<string, string>>,
  ) {}

  async send(jobId: string, envelopes: readonly JobEnvelope[]): Promise<void> {
    const url = this.urls[jobId];
    if (!url) throw new Error(`no queue configured for job ${jobId}`);
    const batches: JobEnvelope[][] = [];
    for (let i = 0; i < envelopes.length; i += BATCH) batches.push(envelopes.slice(i, i + BATCH));
    await mapLimit(batches, IN_FLIGHT, async (batch) => {
      let pending = batch.map((envelope, i) => ({ Id: String(i), MessageBody: JSON.stringify(envelope) }));
      for (let attempt = 0; pending.length && attempt < 3; attempt++) {
        const res = await this.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
        const failed = new Set((res.Failed ?? []).map((f) => f.Id));
        pending = pending.filter((entry) => failed.has(entry.Id));
      }
      if (pending.length) throw new Error(`SQS refused ${pending.length} messages for ${jobId}`);
    });
  }
}

export function sqsJobQueues(region: string, urls: Readonly<Record<string, string>>, endpoint?: string): SqsJobQueues {
  return new SqsJobQueues(
    new SQSClient({
      region,
      ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    }),
    urls,
  );
}

/**
 * The queues a deployment's bootstrap settings name (BALLAST_JOB_QUEUES): every job's for the
 * dispatcher, only the ones it sends to for a worker whose job declares `sends`.
 */
export function configuredJobQueues(p: {
  config: { region: string; jobQueues?: Record<string, string>; sqsEndpoint?: string };
}) {
  if (!p.config.jobQueues) {
    throw new Error('BALLAST_JOB_QUEUES is not set: the dispatcher and fan-out workers need the queue URLs');
  }
  return sqsJobQueues(p.config.region, p.config.jobQueues, p.config.sqsEndpoint);
}
