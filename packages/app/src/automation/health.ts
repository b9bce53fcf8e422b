import type { Agent, Cycle } from './store.js';

/** The recent window of an agent: its last runs within this long, at most RECENT_RUNS of them. */
export const HEALTH_WINDOW_MS = 60 * 60_000;
export const RECENT_RUNS = 20;
/** fewer runs than this in the window say nothing about an error rate */
export const MIN_RUNS_FOR_RATE = 3;
/** more errors than this share of the window's runs: unhealthy */
export const MAX_ERROR_RATE = 0.5;
/** a scheduled agent whose slot is this long overdue has missed its heartbeat */
export const HEARTBEAT_GRACE_MS = 60_000;

export interface HealthProblem {
  code: 'ERROR_RATE' | 'NO_HEARTBEAT';
  detail: string;
}

export interface AgentHealth {
  healthy: boolean;
  problems: HealthProblem[];
  window: { runs: number; errors: number; errorRate: number };
}

/**
 * An agent's health at `nowMs`: more than half of its recent runs (at least three within the
 * hour) failed, or its scheduled slot came due over a minute ago and no run has beaten since
 * (the scheduler is not reaching it). Errors age out of the window, so an agent recovers.
 */
export function agentHealth(agent: Agent | undefined, nowMs: number): AgentHealth {
  const recent = (agent?.recent ?? []).filter((r) => nowMs - Date.parse(r.at) < HEALTH_WINDOW_MS);
  const errors = recent.filter((r) => !r.ok).length;
  const errorRate = recent.length ? errors / recent.length : 0;
  const problems: HealthProblem[] = [];
  if (recent.length >= MIN_RUNS_FOR_RATE && errorRate > MAX_ERROR_RATE) {
    problems.push({
      code: 'ERROR_RATE',
      detail: `${errors} of its last ${recent.length} cycles failed (more than ${MAX_ERROR_RATE * 100}%)`,
    });
  }
  const due = agent?.nextRunAt ? Date.parse(agent.nextRunAt) : undefined;
  if (due !== undefined && nowMs - due > HEARTBEAT_GRACE_MS) {
    problems.push({
      code: 'NO_HEARTBEAT',
      detail:
        `its cycle was due at ${agent?.nextRunAt} and no run has beaten since ` +
        `(over ${HEARTBEAT_GRACE_MS / 1000} s)`,
    });
  }
  return {
    healthy: problems.length === 0,
    problems,
    window: { runs: recent.length, errors, errorRate: Math.round(errorRate * 10_000) / 10_000 },
  };
}

/** Codes a supervisor stops with that are not the agent at work: such a cycle beats but is not counted. */
const NOT_AT_WORK = new Set(['AUTOMATION_HALTED', 'AGENT_UNHEALTHY']);

/** The agent after a cycle: its heartbeat, its counts, its window, the orders of its day. */
export function agentAfter(agent: Agent, cycle: Cycle, nowMs: number): Agent {
  const at = new Date(nowMs).toISOString();
  const counted = !(cycle.endedAt === 'supervisor' && cycle.code && NOT_AT_WORK.has(cycle.code));
  const ok = cycle.status !== 'failed';
  const day = at.slice(0, 10);
  const ordersToday = agent.ordersToday.day === day ? agent.ordersToday.count : 0;
  return {
    ...agent,
    lastHeartbeatAt: at,
    lastCycleId: cycle.cycleId,
    successCount: agent.successCount + (counted && ok ? 1 : 0),
    errorCount: agent.errorCount + (counted && !ok ? 1 : 0),
    recent: counted ? [...agent.recent, { at, ok }].slice(-RECENT_RUNS) : agent.recent,
    ordersToday: { day, count: ordersToday + (cycle.order ? 1 : 0) },
    version: agent.version + 1,
  };
}

/** Orders the agent's cycles placed today (UTC). */
export const ordersToday = (agent: Agent | undefined, nowMs: number) =>
  agent && agent.ordersToday.day === new Date(nowMs).toISOString().slice(0, 10) ? agent.ordersToday.count : 0;
