import type * as z from 'zod/mini';
import { CONTEXT_NAME, entryName, type RouteUses, type Schema } from '../http/define-route.js';
import type { Resolved } from '../schemas/lazy.js';

export interface JobSpec {
  /** stable id, also its queue's and Lambda's name: 'reports.purge' */
  id: string;
  summary: string;
  payload: Schema;
  /**
   * what its worker touches (least-privilege IAM, like a route's); `secrets: ['tenant']` for a
   * worker that calls a tenant's far side with the tenant's credential
   */
  uses: Pick<RouteUses, 'control' | 'data' | 'blobs' | 'keys' | 'notify'> & { secrets?: ReadonlyArray<'tenant'> };
  /** enqueued by the dispatcher on every tick, once for the platform (no due-work entries) */
  everyMinute?: boolean;
  /** the worker's timeout; the queue's visibility timeout is six times it (AWS's guidance) */
  timeoutSeconds?: number;
  /** deliveries before a message moves to the dead-letter queue */
  maxReceiveCount?: number;
  /**
   * ids of the jobs whose queues this worker sends to itself (a fan-out: an optimisation's plan
   * sends its chunks), not through the dispatcher's tick; it may send to these and to no other
   */
  sends?: readonly string[];
  /**
   * how many of its workers may run at once (the SQS event source's maximum concurrency, at least
   * 2 by AWS's rule; locally, as many invocations at a time); absent: Lambda's default scaling, and
   * one invocation at a time locally
   */
  concurrency?: number;
  /** messages per invocation (default 10); 1 for chunks of work that each fill a worker */
  batchSize?: number;
}

export type JobDef<S extends JobSpec = JobSpec> = S & {
  readonly context: string;
  /** its worker's Lambda entry: functions/jobs/<kebab id>.ts */
  readonly handler: string;
  /** its queue's name suffix (the stage prefixes it) */
  readonly queue: string;
};

export const DEFAULT_JOB_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_RECEIVE_COUNT = 3;

/** A context's jobs, stamped with context, entry and queue like its routes. */
export function defineJobs<const T extends Record<string, JobSpec>>(
  context: string,
  specs: T,
): { readonly [K in keyof T]: JobDef<T[K]> } {
  if (!CONTEXT_NAME.test(context)) throw new Error(`context name '${context}' must be lowercase letters and -`);
  const out: Record<string, JobDef> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.concurrency !== undefined && !(Number.isInteger(spec.concurrency) && spec.concurrency >= 2)) {
      throw new Error(`${spec.id}: concurrency must be an integer of at least 2 (SQS event sources allow no less)`);
    }
    if (spec.batchSize !== undefined && !(Number.isInteger(spec.batchSize) && spec.batchSize >= 1)) {
      throw new Error(`${spec.id}: batchSize must be a positive integer`);
    }
    const entry = entryName(spec.id);
    out[name] = { ...spec, context, handler: `functions/jobs/${entry}.ts`, queue: entry };
  }
  return out as { readonly [K in keyof T]: JobDef<T[K]> };
}

export type PayloadOf<D extends JobSpec> = z.output<Resolved<D['payload']>>;
