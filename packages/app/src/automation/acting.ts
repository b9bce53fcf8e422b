import { nextRunAt, recurrenceOf } from '@ballast/core/schedule/recurrence.js';
import type { Env, RequestContext } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { JobEnvelope } from '@ballast/platform/jobs/envelope.js';
import { type TradingDeps, tradingDeps } from '../trading/index.js';
import { jobs } from './jobs.js';
import type { AutomationPorts } from './ports.js';
import { INTERVAL_STEPS, type PlaybookSchedule } from './schemas.js';

/** Who acts: a request's verified caller or the scheduler, in one tenant, env and project. */
export interface Acting {
  ports: AutomationPorts;
  now: number;
  unitOfWork(): UnitOfWork;
  tenantId: string;
  env: Env;
  projectId: string;
  actor: string;
}

export function acting(h: {
  ports: AutomationPorts;
  now: number;
  unitOfWork(): UnitOfWork;
  ctx: RequestContext;
}): Acting {
  return {
    ports: h.ports,
    now: h.now,
    unitOfWork: h.unitOfWork,
    tenantId: h.ctx.tenantId,
    env: h.ctx.env,
    projectId: h.ctx.projectId ?? '',
    actor: h.ctx.principal.id,
  };
}

export function jobActing(h: {
  ports: AutomationPorts;
  now: number;
  unitOfWork(): UnitOfWork;
  envelope: JobEnvelope;
}): Acting {
  return {
    ports: h.ports,
    now: h.now,
    unitOfWork: h.unitOfWork,
    tenantId: h.envelope.tenantId,
    env: h.envelope.env,
    projectId: h.envelope.projectId ?? '',
    actor: 'scheduler',
  };
}

/** The trading desk's execution engine, acting for the same caller. */
export const deps = (a: Acting): TradingDeps => tradingDeps({ ...a, ctx: undefined });

export const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The first slot of a schedule after `afterMs`: a fixed step's next whole multiple in UTC (1h:
 * the next full hour), or a calendar rule's next run in its time zone (core's recurrence).
 */
export function nextSlot(schedule: PlaybookSchedule, afterMs: number): number {
  if (schedule.kind === 'interval') {
    const step = INTERVAL_STEPS[schedule.every] * 60_000;
    return (Math.floor(afterMs / step) + 1) * step;
  }
  return nextRunAt(recurrenceOf(schedule), afterMs);
}

/** Books the playbook's cycle for `dueAt` on the jobs spine, in the unit of work that decided it. */
export function scheduleCycle(a: Acting, uow: UnitOfWork, playbookId: string, dueAt: string): void {
  a.ports.due.schedule(uow, {
    job: jobs.cycleRun.id,
    tenantId: a.tenantId,
    env: a.env,
    projectId: a.projectId,
    workId: playbookId,
    dueAt,
    payload: { playbookId },
  });
}

/** the daily run: half an hour after midnight UTC, when the trading day's reset has run */
const FEEDBACK_MINUTE_OF_DAY = 30;
const DAY_MS = 86_400_000;

/** The first daily feedback slot after `afterMs`. */
export function nextFeedbackSlot(afterMs: number): number {
  const today = Math.floor(afterMs / DAY_MS) * DAY_MS + FEEDBACK_MINUTE_OF_DAY * 60_000;
  return today > afterMs ? today : today + DAY_MS;
}

/** The feedback loop's due work: one chain of daily runs a playbook, and one run after each closing cycle. */
export function scheduleFeedback(
  a: Acting,
  uow: UnitOfWork,
  playbookId: string,
  dueAt: string,
  after?: { cycleId: string },
): void {
  a.ports.due.schedule(uow, {
    job: jobs.feedbackRun.id,
    tenantId: a.tenantId,
    env: a.env,
    projectId: a.projectId,
    // unique within the tenant whatever the job: never the cycle's own work id (the playbook id)
    workId: after ? `${playbookId}#feedback#${after.cycleId}` : `${playbookId}#feedback`,
    dueAt,
    payload: after ? { playbookId, trigger: 'cycle', cycleId: after.cycleId } : { playbookId, trigger: 'schedule' },
  });
}

/** The next daily run, booked when a playbook becomes active (the run books the one after). */
export const scheduleFirstFeedback = (a: Acting, uow: UnitOfWork, playbookId: string) =>
  scheduleFeedback(a, uow, playbookId, iso(nextFeedbackSlot(a.now)));
