import type { Env } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { DueWorkStore } from '@ballast/platform/jobs/due/store.js';
import type { ArchiveKind } from './ids.js';

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 24 * 3600 * 1000;

/** Daily runs at this UTC hour, away from midnight's resets and the month's first minutes. */
export const ARCHIVE_RUN_HOUR_UTC = 3;

/** The next daily run time (03:00 UTC) strictly after `nowMs`. */
export function nextArchiveRun(nowMs: number): number {
  const day = new Date(nowMs);
  const today = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), ARCHIVE_RUN_HOUR_UTC);
  return today > nowMs ? today : today + DAY_MS;
}

/** The daily chain's work id of a kind: a re-schedule of the same kind and time overwrites. */
export const chainWorkId = (kind: ArchiveKind) => `archive#${kind}`;

/**
 * Starts a tenant's daily archive runs in an env (audit and that env's journals), committed with
 * whatever makes them due (a tenant's creation, its data routing entry); each run books the next.
 */
export function scheduleArchiveRuns(
  due: DueWorkStore,
  uow: UnitOfWork,
  o: { tenantId: string; env: Env; atMs: number; kinds?: readonly ArchiveKind[] },
): void {
  for (const kind of o.kinds ?? (['audit', 'journal'] as const)) {
    due.schedule(uow, {
      job: 'ops.archive-run',
      tenantId: o.tenantId,
      env: o.env,
      workId: chainWorkId(kind),
      dueAt: iso(nextArchiveRun(o.atMs)),
      payload: { kind },
    });
  }
}
