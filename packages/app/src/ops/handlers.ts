import { unavailable } from '@ballast/platform/errors.js';
import * as z from 'zod/mini';
import type { jobs } from './jobs.js';
import type { OpsHandler, OpsJobHandler } from './ports.js';
import type { routes } from './routes.js';

type R = typeof routes;

/** The heartbeat is written every minute; older than this, the job loop is reported stalled. */
export const HEARTBEAT_STALE_MS = 3 * 60_000;
export const HEARTBEAT_CONFIG = 'JOBS_HEARTBEAT';
const heartbeat = z.object({ dueAt: z.string(), at: z.string() });

export const beat: OpsJobHandler<(typeof jobs)['heartbeat']> = async (_payload, h) => {
  await h.ports.config.putConfig(HEARTBEAT_CONFIG, { dueAt: h.envelope.dueAt, at: new Date(h.now).toISOString() });
  return 'processed';
};

/** The job loop's health from its last heartbeat; informational (the API serves without it). */
async function jobsCheck(h: { now: number; ports: { config: { getConfig(name: string): Promise<unknown> } } }) {
  const last = heartbeat.safeParse(await h.ports.config.getConfig(HEARTBEAT_CONFIG));
  if (!last.success) return { ok: false, detail: 'no heartbeat yet: is the minute tick running?' };
  const ageMs = h.now - Date.parse(last.data.at);
  return ageMs <= HEARTBEAT_STALE_MS
    ? { ok: true, detail: `last heartbeat ${Math.round(ageMs / 1000)} s ago` }
    : { ok: false, detail: `last heartbeat ${Math.round(ageMs / 1000)} s ago: the job loop is stalled` };
}

export const live: OpsHandler<R['live']> = async (_input, h) => ({
  status: 200,
  body: { status: 'ok', time: new Date(h.now).toISOString() },
});

export const ready: OpsHandler<R['ready']> = async (_input, h) => {
  let ms: number;
  try {
    ms = await h.ports.health.pingControlTable();
  } catch {
    throw unavailable('NOT_READY', 'The control table is not reachable');
  }
  return {
    status: 200,
    body: { status: 'ready', checks: { controlTable: { ok: true, ms }, jobs: await jobsCheck(h) } },
  };
};
