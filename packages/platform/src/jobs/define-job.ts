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
  uses: Pick<RouteUses, 'control' | 'data'> & { secrets?: ReadonlyArray<'tenant'> };
  /** enqueued by the dispatcher on every tick, once for the platform (no due-work entries) */
  everyMinute?: boolean;
  /** the worker's timeout; the queue's visibility timeout is six times it (AWS's guidance) */
  timeoutSeconds?: number;
  /** deliveries before a message moves to the dead-letter queue */
  maxReceiveCount?: number;
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
    const entry = entryName(spec.id);
    out[name] = { ...spec, context, handler: `functions/jobs/${entry}.ts`, queue: entry };
  }
  return out as { readonly [K in keyof T]: JobDef<T[K]> };
}

export type PayloadOf<D extends JobSpec> = z.output<Resolved<D['payload']>>;
