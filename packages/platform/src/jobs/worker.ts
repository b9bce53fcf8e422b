import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { UnitOfWork } from '../data/unit-of-work.js';
import type { Backend, PortsFactory } from '../http/handler.js';
import { recordJob } from '../observability/metrics.js';
import { resolveSchema } from '../schemas/lazy.js';
import { platform as defaultPlatform, type Platform } from '../platform.js';
import { linkSecretFetcher, type SecretFetcher } from '../secrets/resolver.js';
import { DEFAULT_MAX_RECEIVE_COUNT, type JobDef, type JobSpec, type PayloadOf } from './define-job.js';
import { type JobEnvelope, jobEnvelope, runKey } from './envelope.js';
import type { JobQueues } from './queue.js';

/** One message a worker sends to another job's queue: the same tenant, env and project as its own run. */
export interface SentWork {
  /** unique within the tenant and the receiving job; with `dueAt` it makes the run key */
  workId: string;
  payload: unknown;
  /** ISO; default the sending run's own due time, so a redelivered sender sends the same run keys */
  dueAt?: string;
}

/** Which invocation ran a job: the Lambda request id and the log stream (one per execution environment). */
export interface JobInvocation {
  requestId: string;
  logStream: string;
}

/** What a job's function learns about its run. */
export interface JobContext<D extends JobSpec, P> {
  job: JobDef<D>;
  /** verified: the tenant exists, and so does the project if one is named */
  envelope: JobEnvelope;
  /** epoch ms when this run started, from the platform's one clock */
  now: number;
  ports: P;
  /** a unit of work whose audit records name the scheduler */
  unitOfWork(): UnitOfWork;
  logger: Logger;
  invocation: JobInvocation;
  /**
   * Sends work straight to a job's queue (a fan-out), enveloped with this run's tenant context; only
   * to jobs this one declares in `sends` (anything else is an error, before anything is sent).
   */
  send(jobId: string, work: readonly SentWork[]): Promise<void>;
}

/** `processed`: it did its work; `skipped`: the work was stale (changed or gone since it was scheduled). */
export type JobOutcome = 'processed' | 'skipped';

export type JobHandler<D extends JobSpec, P = undefined> = (
  payload: PayloadOf<D>,
  h: JobContext<D, P>,
) => Promise<JobOutcome>;

/**
 * Called when a job's function throws on its message's last delivery (the next stop is the
 * dead-letter queue): the job's chance to record the work as failed and tell whoever waits on it,
 * with the same context the function had and the error it threw. `deliveries` is the message's
 * receive count. Best effort: what it throws is logged, and the delivery fails all the same.
 */
export type JobExhaustedHook<D extends JobSpec, P = undefined> = (
  payload: PayloadOf<D>,
  h: JobContext<D, P>,
  error: unknown,
  deliveries: number,
) => Promise<void>;

/** The message's receive count when it is its last before the dead-letter queue, else undefined. */
function lastDelivery(record: SQSRecord, def: JobDef): number | undefined {
  const deliveries = Number(record.attributes?.ApproximateReceiveCount);
  if (!Number.isFinite(deliveries)) return undefined;
  return deliveries >= (def.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT) ? deliveries : undefined;
}

/** A message no retry can fix (malformed, unknown tenant): it fails every delivery and lands in the DLQ. */
export class PoisonMessage extends Error {
  override readonly name = 'PoisonMessage';
}

/** Idempotency records of job runs are kept a day: long after SQS would redeliver. */
const RUN_RECORD_SECONDS = 24 * 3600;

function parseEnvelope(record: SQSRecord, def: JobDef): JobEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new PoisonMessage(`message ${record.messageId} is not JSON`);
  }
  const parsed = jobEnvelope.safeParse(body);
  if (!parsed.success) throw new PoisonMessage(`message ${record.messageId} is not a job envelope`);
  const envelope = parsed.data;
  if (envelope.job !== def.id) throw new PoisonMessage(`message for ${envelope.job} on the ${def.id} queue`);
  if (envelope.key !== runKey(envelope)) throw new PoisonMessage(`message ${record.messageId} has a forged run key`);
  return envelope;
}

export type JobLambda = ((event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>) & { readonly job: JobDef };

/**
 * A job's Lambda entry: `export const handler = job(jobs.purge, purgeReport, { ports })` (and
 * `secrets: secretsManagerFetcher` when the job declares `uses.secrets`).
 * SQS batches are processed record by record (Powertools batch: a failed record is reported,
 * the rest are deleted); each run is idempotent on its run key (Powertools idempotency), so a
 * duplicate delivery does nothing; the tenant of the envelope is checked before any store is built.
 * `onExhausted` runs when the function throws on the message's last delivery (see JobExhaustedHook).
 */
export function job<D extends JobSpec, P = undefined>(
  def: JobDef<D>,
  fn: JobHandler<D, P>,
  options: {
    ports?: PortsFactory<P>;
    secrets?: SecretFetcher;
    queues?: (p: Platform) => JobQueues;
    /** what to do when the last delivery fails too (poison messages never reach it) */
    onExhausted?: JobExhaustedHook<D, P>;
  } = {},
  getPlatform: () => Platform = defaultPlatform,
): JobLambda {
  const sendable = new Set(def.sends ?? []);
  if (sendable.size && !options.queues) throw new Error(`${def.id} sends to other jobs: its entry must link queues`);
  let queues: JobQueues | undefined;
  // as for routes: only workers whose job declares `uses.secrets` link the Secrets Manager fetcher
  if (options.secrets) linkSecretFetcher(options.secrets);
  let once:
    | ((
        envelope: JobEnvelope,
        record: SQSRecord,
        probe: { ran: boolean; invocation: JobInvocation },
      ) => Promise<{ outcome: JobOutcome }>)
    | undefined;
  let idempotencyConfig: IdempotencyConfig | undefined;

  const sender = (p: Platform, from: JobEnvelope) => async (jobId: string, work: readonly SentWork[]) => {
    if (!sendable.has(jobId)) throw new Error(`${def.id} may not send to ${jobId}: it is not in its \`sends\``);
    if (!work.length) return;
    queues ??= options.queues?.(p);
    if (!queues) throw new Error(`${def.id} has no queues linked`);
    const envelopes = work.map((w): JobEnvelope => {
      const head = {
        job: jobId,
        tenantId: from.tenantId,
        workId: w.workId,
        dueAt: w.dueAt ?? from.dueAt,
      };
      return {
        v: 1,
        ...head,
        env: from.env,
        ...(from.projectId ? { projectId: from.projectId } : {}),
        key: runKey(head),
        payload: w.payload,
      };
    });
    await queues.send(jobId, envelopes);
  };

  /** The last delivery failed: the job's hook, if it has one, and a log line either way. */
  const exhausted = async (p: Platform, payload: PayloadOf<D>, h: JobContext<D, P>, e: unknown, n: number) => {
    p.logger.error('job run set aside: its last delivery failed, the message goes to the dead-letter queue', {
      deliveries: n,
    });
    if (!options.onExhausted) return;
    try {
      await options.onExhausted(payload, h, e, n);
    } catch (hookError) {
      p.logger.error('job onExhausted hook failed', { error: hookError as Error });
    }
  };

  const run = async (
    p: Platform,
    envelope: JobEnvelope,
    record: SQSRecord,
    invocation: JobInvocation,
  ): Promise<{ outcome: JobOutcome }> => {
    const records = await p.tenancy.contextRecords(envelope.tenantId, undefined, envelope.projectId);
    if (!records.tenant) throw new PoisonMessage(`tenant ${envelope.tenantId} does not exist`);
    if (envelope.projectId && !records.project) {
      throw new PoisonMessage(`project ${envelope.projectId} is not a project of ${envelope.tenantId}`);
    }
    const parsedPayload = resolveSchema(def.payload).safeParse(envelope.payload);
    if (!parsedPayload.success) throw new PoisonMessage(`payload of ${record.messageId} does not fit ${def.id}`);
    const data = def.uses.data ? await p.registry.require(envelope.tenantId, envelope.env, 'data') : undefined;
    // the tenant's data client (tenant-scoped credentials in the cloud), as a route's
    const db = def.uses.data ? await p.dataClientFor(envelope.tenantId, def.uses.data) : p.db;
    const now = p.now();
    const requestId = `job-${record.messageId}`;
    const backend: Backend = {
      platform: p,
      ctx: undefined,
      scope: { tenantId: envelope.tenantId, env: envelope.env, projectId: envelope.projectId },
      data,
      db,
      requestId,
      now,
    };
    const actor = { kind: 'scheduler' as const, tenantId: envelope.tenantId, requestId, projectId: envelope.projectId };
    const payload = parsedPayload.data as PayloadOf<D>;
    const h: JobContext<D, P> = {
      job: def,
      envelope,
      now,
      ports: (options.ports ? options.ports(backend) : undefined) as P,
      unitOfWork: () => p.unitOfWork(actor, now, db),
      logger: p.logger,
      invocation,
      send: sender(p, envelope),
    };
    try {
      return { outcome: await fn(payload, h) };
    } catch (e) {
      const deliveries = lastDelivery(record, def);
      if (deliveries !== undefined) await exhausted(p, payload, h, e, deliveries);
      throw e;
    }
  };

  const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const p = getPlatform();
    if (context?.functionName) p.logger.addContext(context);
    if (!once) {
      const table = p.config.jobsIdempotencyTable;
      if (!table) throw new Error('BALLAST_JOBS_IDEMPOTENCY_TABLE is not set: a job worker needs it');
      idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: RUN_RECORD_SECONDS });
      const persistenceStore = new DynamoDBPersistenceLayer({ tableName: table, awsSdkV3Client: p.dynamo });
      // The probe tells a real run from a replay of the stored result (a duplicate delivery).
      once = makeIdempotent(
        async (envelope: JobEnvelope, record: SQSRecord, probe: { ran: boolean; invocation: JobInvocation }) => {
          probe.ran = true;
          return run(p, envelope, record, probe.invocation);
        },
        {
          persistenceStore,
          config: idempotencyConfig,
          dataIndexArgument: 0,
        },
      );
    }
    if (context) idempotencyConfig?.registerLambdaContext(context);
    const runOnce = once;
    const processor = new BatchProcessor(EventType.SQS);
    const processRecord = async (record: SQSRecord) => {
      const started = p.now();
      p.logger.resetKeys();
      p.logger.appendKeys({ job: def.id, messageId: record.messageId });
      let outcome: JobOutcome | 'duplicate' | 'failed' = 'failed';
      try {
        const envelope = parseEnvelope(record, def);
        p.logger.appendKeys({ tenant: envelope.tenantId, workId: envelope.workId });
        const invocation = {
          requestId: context?.awsRequestId ?? `job-${record.messageId}`,
          logStream: context?.logStreamName ?? 'unknown',
        };
        const probe = { ran: false, invocation };
        const result = await runOnce(envelope, record, probe);
        outcome = probe.ran ? result.outcome : 'duplicate';
        return outcome;
      } catch (e) {
        p.logger.error('job run failed', { error: e as Error });
        throw e;
      } finally {
        recordJob(p.metrics, {
          job: def.id,
          outcome: outcome === 'failed' ? 'failed' : outcome,
          latencyMs: Math.round(p.now() - started),
        });
        p.logger.resetKeys();
      }
    };
    return processPartialResponse(event, processRecord, processor, { context: context as Context });
  };
  return Object.assign(handler, { job: def as JobDef });
}
