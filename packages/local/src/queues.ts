import type { JobDef } from '@ballast/platform/jobs/define-job.js';
import { buildApp, type BuildAppOptions } from 'fauxqs';

export interface LocalQueues {
  endpoint: string;
  /** job id → queue URL (what BALLAST_JOB_QUEUES holds in the cloud) */
  urls: Record<string, string>;
  /** job id → dead-letter queue URL */
  deadLetterUrls: Record<string, string>;
  names: Record<string, { queue: string; deadLetter: string }>;
  /** the stage's blob bucket on the same emulator's S3 (what BALLAST_BLOB_BUCKET names in the cloud) */
  blobBucket: string;
  /** messages a queue holds right now (ready + delayed + in flight) */
  depth(queueName: string): number;
  stop(): Promise<void>;
}

type FauxqsStores = NonNullable<BuildAppOptions['stores']>;
type SqsStore = FauxqsStores['sqsStore'];

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/**
 * fauxqs's stores, from the package's own modules. `startFauxqs()` always listens on 0.0.0.0 (its
 * `host` option only names the host in queue URLs), so the runtime builds the same app with
 * `buildApp()` and listens on loopback itself; the stores are what `startFauxqs()` would have made.
 * They are not in the package's export map, hence the path next to its entry (fauxqs is pinned).
 */
async function fauxqsStores(): Promise<FauxqsStores> {
  const entry = import.meta.resolve('fauxqs');
  const load = async <T>(path: string, name: string): Promise<T> => {
    const mod = (await import(new URL(path, entry).href)) as Record<string, unknown>;
    const Store = mod[name];
    if (typeof Store !== 'function') throw new Error(`fauxqs has no ${name} in ${path}: was it upgraded?`);
    return new (Store as new () => T)();
  };
  return {
    sqsStore: await load<SqsStore>('./sqs/sqsStore.js', 'SqsStore'),
    snsStore: await load<FauxqsStores['snsStore']>('./sns/snsStore.js', 'SnsStore'),
    s3Store: await load<FauxqsStores['s3Store']>('./s3/s3Store.js', 'S3Store'),
  };
}

/**
 * The in-process SQS emulator (fauxqs) with one queue per job kind and a dead-letter queue behind
 * each, redriven after the job's maxReceiveCount, as the Jobs stack creates them, and its S3 with
 * the blob bucket the Data stack creates. It listens on 127.0.0.1 only.
 */
export async function startLocalQueues(jobs: readonly JobDef[], prefix: string): Promise<LocalQueues> {
  const stores = await fauxqsStores();
  const app = buildApp({ logger: false, host: '127.0.0.1', defaultRegion: REGION, stores });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sqs = stores.sqsStore;
  const createQueue = (name: string, attributes: Record<string, string>) => {
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    const url = sqs.buildQueueUrl(name, String(port), `127.0.0.1:${port}`, REGION);
    sqs.createQueue(name, url, arn, attributes, {});
    return { queueUrl: url, queueArn: arn };
  };
  const urls: Record<string, string> = {};
  const deadLetterUrls: Record<string, string> = {};
  const names: LocalQueues['names'] = {};
  for (const job of jobs) {
    const queue = `${prefix}-${job.queue}`;
    const deadLetter = `${queue}-dlq`;
    const dlq = createQueue(deadLetter, { MessageRetentionPeriod: '1209600' });
    const main = createQueue(queue, {
      VisibilityTimeout: String(6 * (job.timeoutSeconds ?? 60)),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: job.maxReceiveCount ?? 3 }),
    });
    urls[job.id] = main.queueUrl;
    deadLetterUrls[job.id] = dlq.queueUrl;
    names[job.id] = { queue, deadLetter };
  }
  // S3 bucket names are lower-case letters, digits and '-' (fauxqs checks them as AWS does)
  const blobBucket = `${prefix}-blobs`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  stores.s3Store.createBucket(blobBucket);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    blobBucket,
    urls,
    deadLetterUrls,
    names,
    depth(queueName) {
      const q = sqs.inspectQueue(queueName);
      if (!q) return 0;
      return q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length;
    },
    stop: () => app.close(),
  };
}
