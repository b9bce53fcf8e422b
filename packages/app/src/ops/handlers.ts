import { unavailable } from '@ballast/platform/errors.js';
import * as z from 'zod/mini';
import type { jobs } from './jobs.js';
import type { DetailedHealthHandler, OpsHandler, OpsJobHandler } from './ports.js';
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

/**
 * Requests this function instance has answered: each route is its own Lambda, so the first one is
 * the instance's cold start.
 */
let requestsServed = 0;

type Check = { ok: boolean; ms?: number; detail?: string };

async function timed(probe: () => Promise<number | void>, failure: string): Promise<Check> {
  const started = performance.now();
  try {
    const ms = await probe();
    return { ok: true, ms: typeof ms === 'number' ? ms : Math.round((performance.now() - started) * 10) / 10 };
  } catch (e) {
    // the error's name only: a dependency's message may carry an ARN or a table name
    const name = e instanceof Error ? e.name : 'Error';
    return { ok: false, detail: `${failure} (${name})` };
  }
}

export const detailed: DetailedHealthHandler<R['detailed']> = async ({ query }, h) => {
  const coldStart = requestsServed === 0;
  requestsServed++;
  const tenantId = query.tenantId ?? h.ctx.tenantId;
  const env = query.env ?? h.ctx.env;
  const dataCheck = async (): Promise<Check> => {
    const table =
      tenantId === h.ctx.tenantId && env === h.ctx.env
        ? h.ports.ownDataTable
        : await h.ports.dataTableOf(tenantId, env);
    if (!table) return { ok: false, detail: `${tenantId} has no data routing entry for ${env}` };
    const check = await timed(() => h.ports.health.pingDataTable(table, tenantId), 'the data table did not answer');
    return { ...check, detail: check.detail ?? `${tenantId}/${env}` };
  };
  const [controlTable, dataTable, secrets, jobs] = await Promise.all([
    timed(() => h.ports.health.pingControlTable(), 'the control table did not answer'),
    dataCheck(),
    timed(() => h.ports.resolveCursorSecret(), 'the secret store did not answer'),
    jobsCheck(h),
  ]);
  const checks = { controlTable, dataTable, secrets, jobs };
  return {
    status: 200,
    body: {
      status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'degraded',
      time: new Date(h.now).toISOString(),
      build: { ...h.ports.build, node: process.version },
      process: {
        coldStart,
        uptimeSeconds: Math.round(process.uptime()),
        requestsServed,
        heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576),
      },
      checks,
    },
  };
};
