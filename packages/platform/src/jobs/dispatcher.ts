import type { Logger } from '@aws-lambda-powertools/logger';
import { SYSTEM_TENANT } from '../context/types.js';
import type { Env } from '../context/types.js';
import { mapLimit } from './concurrency.js';
import type { JobDef } from './define-job.js';
import { DUE_SHARDS, type DueWork, type DueWorkStore, slotOf, slotStart } from './due/store.js';
import { type JobEnvelope, runKey } from './envelope.js';
import type { JobQueues } from './queue.js';

export interface DispatchReport {
  /** the tick's instant (ISO) */
  at: string;
  /** occupied slots dispatched */
  slots: number;
  /** messages sent, by job */
  sent: Record<string, number>;
  /** work naming a job no longer declared: left out and logged */
  orphaned: number;
}

export interface DispatcherDeps {
  due: DueWorkStore;
  queues: JobQueues;
  jobs: readonly JobDef[];
  logger: Logger;
  /** the deployment's env, for platform jobs that run every minute */
  env: Env;
}

function envelopeOf(work: DueWork): JobEnvelope {
  return {
    v: 1,
    job: work.job,
    tenantId: work.tenantId,
    env: work.env,
    ...(work.projectId ? { projectId: work.projectId } : {}),
    dueAt: work.dueAt,
    workId: work.workId,
    key: runKey(work),
    payload: work.payload ?? {},
  };
}

/**
 * One tick: every occupied slot up to now, shard by shard in parallel, is read page by page and
 * fanned out to its jobs' queues; a slot's marker is cleared only once all of it was accepted, so a
 * crash mid-slot re-sends it on the next tick (workers drop the duplicates by their run key).
 * Then the every-minute platform jobs get their one message for this minute.
 */
export async function dispatchDue(deps: DispatcherDeps, nowMs: number): Promise<DispatchReport> {
  const known = new Map(deps.jobs.map((job) => [job.id, job]));
  const sent: Record<string, number> = {};
  let slots = 0;
  let orphaned = 0;
  const send = async (envelopes: JobEnvelope[]) => {
    const byJob = new Map<string, JobEnvelope[]>();
    for (const envelope of envelopes) {
      if (!known.has(envelope.job)) {
        orphaned++;
        deps.logger.error('due work names an unknown job; left out', { job: envelope.job, workId: envelope.workId });
        continue;
      }
      byJob.set(envelope.job, [...(byJob.get(envelope.job) ?? []), envelope]);
    }
    for (const [job, batch] of byJob) {
      await deps.queues.send(job, batch);
      sent[job] = (sent[job] ?? 0) + batch.length;
    }
  };

  const currentSlot = Math.floor(nowMs / 60_000);
  const shards = Array.from({ length: DUE_SHARDS }, (_, shard) => shard);
  await mapLimit(shards, DUE_SHARDS, async (shard) => {
    for (const slot of await deps.due.occupiedSlots(shard, currentSlot)) {
      let after: string | undefined;
      do {
        const page = await deps.due.slotPage(shard, slot, after);
        await send(page.items.map(envelopeOf));
        after = page.after;
      } while (after);
      await deps.due.clearSlot(shard, slot);
      slots++;
    }
  });

  const minute = new Date(slotStart(currentSlot)).toISOString();
  const everyMinute = deps.jobs.filter((job) => job.everyMinute);
  await send(
    everyMinute.map((job) =>
      envelopeOf({ job: job.id, tenantId: SYSTEM_TENANT, env: deps.env, workId: job.id, dueAt: minute, payload: {} }),
    ),
  );
  return { at: new Date(nowMs).toISOString(), slots, sent, orphaned };
}

export { slotOf };
