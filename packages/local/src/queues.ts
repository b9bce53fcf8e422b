import type { JobDef } from '@ballast/platform/jobs/define-job.js';
import { startFauxqs } from 'fauxqs';

export interface LocalQueues {
  endpoint: string;
  /** job id → queue URL (what BALLAST_JOB_QUEUES holds in the cloud) */
  urls: Record<string, string>;
  /** job id → dead-letter queue URL */
  deadLetterUrls: Record<string, string>;
  names: Record<string, { queue: string; deadLetter: string }>;
  /** messages a queue holds right now (ready + delayed + in flight) */
  depth(queueName: string): number;
  stop(): Promise<void>;
}

/**
 * The in-process SQS emulator (fauxqs) with one queue per job kind and a dead-letter queue behind
 * each, redriven after the job's maxReceiveCount, as the Jobs stack creates them.
 */
export async function startLocalQueues(jobs: readonly JobDef[], prefix: string): Promise<LocalQueues> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false, defaultRegion: 'us-east-1' });
  const urls: Record<string, string> = {};
  const deadLetterUrls: Record<string, string> = {};
  const names: LocalQueues['names'] = {};
  for (const job of jobs) {
    const queue = `${prefix}-${job.queue}`;
    const deadLetter = `${queue}-dlq`;
    const dlq = server.createQueue(deadLetter, { attributes: { MessageRetentionPeriod: '1209600' } });
    const main = server.createQueue(queue, {
      attributes: {
        VisibilityTimeout: String(6 * (job.timeoutSeconds ?? 60)),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: job.maxReceiveCount ?? 3 }),
      },
    });
    urls[job.id] = main.queueUrl;
    deadLetterUrls[job.id] = dlq.queueUrl;
    names[job.id] = { queue, deadLetter };
  }
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    urls,
    deadLetterUrls,
    names,
    depth(queueName) {
      const q = server.inspectQueue(queueName);
      if (!q) return 0;
      return q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length;
    },
    stop: () => server.stop(),
  };
}
