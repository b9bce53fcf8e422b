import * as z from 'zod/mini';
import { env, isoTime, projectId, tenantId } from '../schemas/common.js';

/**
 * What travels on a job queue. The tenant, env and project in it are claims: the worker checks
 * them against the tenancy records and the routing registry before it builds any store.
 */
export const jobEnvelope = z.strictObject({
  v: z.literal(1),
  // context.job; either part may be kebab-case (`context.some-job`)
  job: z.string().check(z.regex(/^[a-z][A-Za-z0-9-]*\.[a-z][A-Za-z0-9-]*$/)),
  tenantId,
  env,
  projectId: z.optional(projectId),
  /** when the work was due (ISO 8601) */
  dueAt: isoTime,
  /** which piece of scheduled work this run is (unique within the tenant and job) */
  workId: z.string().check(z.minLength(1), z.maxLength(256)),
  /** idempotency key of this run: job, tenant, work and due time — a redelivery has the same one */
  key: z.string().check(z.minLength(1), z.maxLength(600)),
  payload: z.unknown(),
});
export type JobEnvelope = z.infer<typeof jobEnvelope>;

/** The one idempotency key rule: a duplicate delivery of the same due work does nothing. */
export function runKey(e: Pick<JobEnvelope, 'job' | 'tenantId' | 'workId' | 'dueAt'>): string {
  return `${e.job}|${e.tenantId}|${e.workId}|${e.dueAt}`;
}
