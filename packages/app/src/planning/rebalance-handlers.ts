import { money } from '@ballast/core/money.js';
import { nextRunAt, recurrenceOf, runsBetween } from '@ballast/core/schedule/recurrence.js';
import type { RequestContext } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { livePortfolio } from '../portfolio/index.js';
import type { NotificationRecord } from '../watchlists/index.js';
import { newScheduleId } from './ids.js';
import { jobs } from './jobs.js';
import type { RebalanceHandler, RebalanceJobExhausted, RebalanceJobHandler, RebalancePorts } from './ports.js';
import {
  type Acting,
  acting,
  accountFor,
  continueExecution,
  executeProposal,
  executionOf,
  executionResource,
  jobActing,
  makeProposal,
  slotTaken,
} from './rebalance.js';
import type { ScheduleBody } from './rebalance-schemas.js';
import { sendRunNotices, stageRunFailed } from './run-notices.js';
import type { routes } from './routes.js';
import type { Execution, ExecutionType, Proposal, Schedule } from './store.js';

type R = typeof routes;
type J = typeof jobs;
const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 86_400_000;

interface RequestParts {
  ports: RebalancePorts;
  now: number;
  unitOfWork(): UnitOfWork;
  ctx: RequestContext;
}

const proposalPath = (p: Proposal) => `/v1/portfolios/${p.portfolioId}/rebalance/proposals/${p.proposalId}`;
const executionPath = (e: Execution) => `/v1/portfolios/${e.portfolioId}/rebalance/executions/${e.executionId}`;

// --- proposals and executions ---------------------------------------------------------------

export const createProposal: RebalanceHandler<R['createProposal']> = async ({ params, body }, h) => {
  const { accountId, ...options } = body;
  const proposal = await makeProposal(acting(h), params.portfolioId, options, 'manual', accountId ? { accountId } : {});
  const uow = h.unitOfWork();
  h.ports.planning.putProposal(uow, proposal, undefined);
  uow.audit({
    action: 'rebalance.propose',
    resource: `portfolio/${proposal.portfolioId}/proposal/${proposal.proposalId}`,
    after: { options: proposal.options, trades: proposal.plan.trades.length, dropped: proposal.plan.dropped.length },
  });
  await uow.commit();
  return { status: 201, body: proposal, headers: { Location: proposalPath(proposal) } };
};

export const listProposals: RebalanceHandler<R['listProposals']> = async ({ params, query }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const page = await h.ports.planning.listProposals(params.portfolioId, query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

async function proposalOf(h: RequestParts, portfolioId: string, proposalId: string): Promise<Proposal> {
  await livePortfolio(h.ports.portfolios, portfolioId);
  const found = await h.ports.planning.getProposal(portfolioId, proposalId);
  if (!found) throw notFound('PROPOSAL_NOT_FOUND', `No proposal ${proposalId} in this portfolio`);
  return found;
}

export const getProposal: RebalanceHandler<R['getProposal']> = async ({ params }, h) => ({
  status: 200,
  body: await proposalOf(h, params.portfolioId, params.proposalId),
});

export const executeProposalRoute: RebalanceHandler<R['executeProposal']> = async ({ params, body }, h) => {
  const proposal = await proposalOf(h, params.portfolioId, params.proposalId);
  const accountId = body?.accountId ?? proposal.accountId;
  if (!accountId) {
    throw new AppError(422, 'ACCOUNT_REQUIRED', 'The proposal names no account: send the accountId to execute on', {
      errors: [{ path: 'body.accountId', message: 'is required for a proposal made without one' }],
    });
  }
  const who = acting(h);
  const account = await accountFor(who, params.portfolioId, accountId);
  const execution = await executeProposal(who, proposal, 'manual', account);
  return { status: 201, body: execution, headers: { Location: executionPath(execution) } };
};

export const listExecutions: RebalanceHandler<R['listExecutions']> = async ({ params, query }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const page = await h.ports.planning.listExecutions(params.portfolioId, query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

export const getExecution: RebalanceHandler<R['getExecution']> = async ({ params }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const found = await h.ports.planning.getExecution(params.portfolioId, params.executionId);
  if (!found) throw notFound('EXECUTION_NOT_FOUND', `No execution ${params.executionId} in this portfolio`);
  return { status: 200, body: found };
};

/** An execution waiting on its sells: its buys go out once they have filled. */
export const continueExecutionJob: RebalanceJobHandler<J['executionContinue']> = async (payload, h) => {
  const execution = await h.ports.planning.getExecution(payload.portfolioId, payload.executionId);
  if (!execution || (execution.status !== 'awaiting_fills' && execution.status !== 'sending')) return 'skipped';
  await continueExecution(jobActing(h), execution);
  return 'processed';
};

// --- schedules ------------------------------------------------------------------------------

function scheduleNext(h: Acting, uow: UnitOfWork, s: Schedule): void {
  if (!s.enabled || !s.nextRunAt) return;
  h.ports.due.schedule(uow, {
    job: jobs.rebalanceRun.id,
    tenantId: h.tenantId,
    env: h.env,
    projectId: h.projectId,
    workId: s.scheduleId,
    dueAt: s.nextRunAt,
    payload: { portfolioId: s.portfolioId, scheduleId: s.scheduleId },
  });
}

async function scheduleFields(h: Acting, portfolioId: string, body: ScheduleBody) {
  if (body.mode === 'execute' && !body.accountId) {
    throw new AppError(422, 'ACCOUNT_REQUIRED', 'A schedule in execute mode needs the account its orders go through', {
      errors: [{ path: 'body.accountId', message: 'is required when mode is execute' }],
    });
  }
  if (body.accountId) await accountFor(h, portfolioId, body.accountId);
  const { dayOfWeek, dayOfMonth, maxTrades, accountId, ...rest } = body;
  const fields = {
    ...rest,
    ...(accountId ? { accountId } : {}),
    ...(dayOfWeek !== undefined ? { dayOfWeek } : {}),
    ...(dayOfMonth !== undefined ? { dayOfMonth } : {}),
    ...(maxTrades !== undefined ? { maxTrades } : {}),
  };
  return { ...fields, nextRunAt: fields.enabled ? iso(nextRunAt(recurrenceOf(fields), h.now)) : null };
}

export const createSchedule: RebalanceHandler<R['createSchedule']> = async ({ params, body }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const who = acting(h);
  const at = iso(h.now);
  const schedule: Schedule = {
    scheduleId: newScheduleId(h.now),
    portfolioId: params.portfolioId,
    ...(await scheduleFields(who, params.portfolioId, body)),
    createdAt: at,
    createdBy: who.actor,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.planning.putSchedule(uow, schedule, undefined);
  scheduleNext(who, uow, schedule);
  uow.audit({
    action: 'schedule.create',
    resource: `portfolio/${schedule.portfolioId}/schedule/${schedule.scheduleId}`,
    after: schedule,
  });
  await uow.commit();
  return {
    status: 201,
    body: schedule,
    headers: {
      ETag: etag(1),
      Location: `/v1/portfolios/${schedule.portfolioId}/rebalance/schedules/${schedule.scheduleId}`,
    },
  };
};

export const listSchedules: RebalanceHandler<R['listSchedules']> = async ({ params, query }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const page = await h.ports.planning.listSchedules(params.portfolioId, query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

async function scheduleOf(h: RequestParts, portfolioId: string, scheduleId: string): Promise<Schedule> {
  await livePortfolio(h.ports.portfolios, portfolioId);
  const found = await h.ports.planning.getSchedule(portfolioId, scheduleId);
  if (!found) throw notFound('SCHEDULE_NOT_FOUND', `No schedule ${scheduleId} in this portfolio`);
  return found;
}

export const getSchedule: RebalanceHandler<R['getSchedule']> = async ({ params }, h) => {
  const s = await scheduleOf(h, params.portfolioId, params.scheduleId);
  return { status: 200, body: s, headers: { ETag: etag(s.version) } };
};

export const putSchedule: RebalanceHandler<R['putSchedule']> = async ({ params, body, ifMatch }, h) => {
  const before = await scheduleOf(h, params.portfolioId, params.scheduleId);
  if (before.version !== ifMatch) throw preconditionFailed(`The schedule is at version ${before.version}`);
  const who = acting(h);
  const after: Schedule = {
    scheduleId: before.scheduleId,
    portfolioId: before.portfolioId,
    ...(await scheduleFields(who, before.portfolioId, body)),
    ...(before.lastRunAt ? { lastRunAt: before.lastRunAt } : {}),
    ...(before.lastExecutionId ? { lastExecutionId: before.lastExecutionId } : {}),
    createdAt: before.createdAt,
    ...(before.createdBy ? { createdBy: before.createdBy } : {}),
    updatedAt: iso(h.now),
    version: before.version + 1,
  };
  const uow = h.unitOfWork();
  h.ports.planning.putSchedule(uow, after, before.version);
  // the old slot's due item stays queued: its run finds nextRunAt moved on and skips
  scheduleNext(who, uow, after);
  uow.audit({
    action: 'schedule.update',
    resource: `portfolio/${after.portfolioId}/schedule/${after.scheduleId}`,
    before,
    after,
  });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const deleteSchedule: RebalanceHandler<R['deleteSchedule']> = async ({ params, ifMatch }, h) => {
  const before = await scheduleOf(h, params.portfolioId, params.scheduleId);
  if (before.version !== ifMatch) throw preconditionFailed(`The schedule is at version ${before.version}`);
  const uow = h.unitOfWork();
  h.ports.planning.deleteSchedule(uow, before, ifMatch);
  uow.audit({
    action: 'schedule.delete',
    resource: `portfolio/${before.portfolioId}/schedule/${before.scheduleId}`,
    before,
    after: null,
  });
  await uow.commit();
  return { status: 204 };
};

// --- a schedule's run ------------------------------------------------------------------------

/**
 * Why a run does nothing this slot (cooldown, drift under the threshold), or undefined. Cooldown
 * counts from slot to slot (not from when a busy slot happened to be delivered); a skipped run
 * still records the value and drift it saw.
 */
async function reasonToSkip(h: Acting, s: Schedule, slot: string, proposal: Proposal): Promise<string | undefined> {
  if (s.cooldownDays > 0 && s.lastExecutionId) {
    const last = await h.ports.planning.getExecution(s.portfolioId, s.lastExecutionId);
    const lastAt = last?.slot ?? last?.startedAt;
    if (last && lastAt && last.tradesExecuted > 0 && Date.parse(slot) - Date.parse(lastAt) < s.cooldownDays * DAY_MS) {
      return `in cooldown: the last run traded at ${lastAt}, cooldown ${s.cooldownDays} day(s)`;
    }
  }
  const drift = money(proposal.plan.drift.before.totalDriftPct);
  if (s.trigger === 'drift' && drift.lt(s.driftThresholdPct)) {
    return `total drift ${drift.toFixed()} points is under the threshold ${s.driftThresholdPct}`;
  }
  return undefined;
}

type RunContext = Parameters<RebalanceJobHandler<J['rebalanceRun']>>[1];

/**
 * What a schedule's run of one slot is, whatever it does: who acts, the kind of run, what its
 * record carries, the schedule moved on to its next slot (counted from now), and the writes that
 * claim the slot, store the moved schedule and book its next run.
 */
function slotRun(h: RunContext, s: Schedule, slot: string) {
  const who = jobActing(h);
  const recurrence = recurrenceOf(s);
  const missed = runsBetween(recurrence, Date.parse(slot), h.now, 10_000).length;
  const type: ExecutionType = s.trigger === 'drift' ? 'threshold' : 'scheduled';
  const extra: Partial<Execution> = { scheduleId: s.scheduleId, slot, ...(missed ? { missedSlots: missed } : {}) };
  const next = (executionId: string): Schedule => ({
    ...s,
    nextRunAt: iso(nextRunAt(recurrence, h.now)),
    lastRunAt: iso(h.now),
    lastExecutionId: executionId,
    updatedAt: iso(h.now),
    version: s.version + 1,
  });
  const stage = (uow: UnitOfWork, executionId: string) => {
    h.ports.planning.claimSlot(uow, s.portfolioId, s.scheduleId, slot);
    const moved = next(executionId);
    h.ports.planning.putSchedule(uow, moved, s.version);
    scheduleNext(who, uow, moved);
  };
  return { who, type, extra, next, stage };
}

/**
 * Records a slot's run as failed and moves the schedule on; whoever set the schedule up is told,
 * in the same transaction (the slot's claim commits once, so a second delivery tells no one).
 * `what` says how it failed, after "failed".
 */
function failSlot(
  h: RunContext,
  s: Schedule,
  slot: string,
  error: { code: string; detail: string },
  what: string,
): Promise<'processed' | 'skipped'> {
  const run = slotRun(h, s, slot);
  const failed: Execution = {
    ...executionOf(run.who, emptyProposal(s, h.now), run.type, undefined, run.extra),
    status: 'failed',
    success: false,
    error,
    finishedAt: iso(h.now),
  };
  return commitRun(
    h,
    failed,
    (uow) => run.stage(uow, failed.executionId),
    (uow) =>
      stageRunFailed(run.who, uow, {
        ...(s.createdBy ? { createdBy: s.createdBy } : {}),
        ...(s.accountId ? { accountId: s.accountId } : {}),
        subject: `Scheduled rebalance "${s.name}" failed`,
        body:
          `The ${slot} run of rebalancing schedule "${s.name}" (${s.scheduleId}) on portfolio ${s.portfolioId} ` +
          `${what}. The schedule goes on: its next run is at ${run.next(failed.executionId).nextRunAt}.`,
        resource: executionResource(failed),
      }),
  );
}

/** The slot a delivery carries is still this schedule's next run: nothing has recorded it. */
const slotIsDue = (s: Schedule | undefined, slot: string): s is Schedule =>
  s !== undefined && s.enabled && s.nextRunAt === slot;

/**
 * One slot of a schedule, exactly once: the slot's claim commits with the run's first write, so a
 * duplicate delivery or a second dispatcher loses on it. The next slot is counted from now, so
 * after an outage the first slot runs once (noting how many it stands for) and the rest are skipped.
 */
export const runSchedule: RebalanceJobHandler<J['rebalanceRun']> = async (payload, h) => {
  const s = await h.ports.planning.getSchedule(payload.portfolioId, payload.scheduleId);
  const slot = h.envelope.dueAt;
  if (!slotIsDue(s, slot)) return 'skipped';
  const { who, type, extra, stage } = slotRun(h, s, slot);

  let proposal: Proposal;
  try {
    proposal = await makeProposal(who, s.portfolioId, s.proposal, type, {
      ...(s.accountId ? { accountId: s.accountId } : {}),
      scheduleId: s.scheduleId,
      ...(s.maxTrades !== undefined ? { maxTrades: s.maxTrades } : {}),
    });
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    // a run that cannot even propose is recorded as failed, and the schedule moves on
    return failSlot(h, s, slot, { code: e.code, detail: e.message }, `failed: ${e.code}: ${e.message}`);
  }
  const skip = await reasonToSkip(who, s, slot, proposal);
  const account =
    s.mode === 'execute' && s.accountId && !skip ? await accountFor(who, s.portfolioId, s.accountId) : undefined;
  if (!account) {
    const record: Execution = {
      ...executionOf(who, proposal, type, undefined, extra),
      status: skip ? 'skipped' : 'completed',
      success: true,
      detail: skip ?? 'propose mode: the proposal is stored, nothing was sent',
      finishedAt: iso(h.now),
    };
    return commitRun(h, record, (uow) => {
      stage(uow, record.executionId);
      if (!skip) h.ports.planning.putProposal(uow, { ...proposal, executionId: record.executionId }, undefined);
    });
  }
  try {
    await executeProposal(who, proposal, type, account, extra, { isNew: true, stage });
  } catch (e) {
    if (slotTaken(e)) return 'skipped';
    throw e;
  }
  return 'processed';
};

/**
 * A slot whose every delivery failed (its message goes to the dead-letter queue): unless a run
 * recorded it meanwhile (the schedule has moved on), it is recorded as failed with RUN_FAILED, the
 * schedule moves on, and its creator is told once (`schedule.failed`), as a run that fails itself.
 */
export const scheduleRunExhausted: RebalanceJobExhausted<J['rebalanceRun']> = async (payload, h, _e, deliveries) => {
  const s = await h.ports.planning.getSchedule(payload.portfolioId, payload.scheduleId);
  const slot = h.envelope.dueAt;
  if (!slotIsDue(s, slot)) return;
  const detail = `the run failed after ${deliveries} attempts and was set aside`;
  await failSlot(h, s, slot, { code: 'RUN_FAILED', detail }, `failed after ${deliveries} attempts and was set aside`);
};

function emptyProposal(s: Schedule, nowMs: number): Proposal {
  const drift = {
    categories: [],
    cashLine: { targetPct: '0', actualPct: '0', driftPct: '0' },
    unassignedPct: '0',
    totalDriftPct: '0',
    insideBands: true,
  };
  return {
    proposalId: '',
    portfolioId: s.portfolioId,
    options: s.proposal,
    plan: {
      baseCurrency: '',
      totalValue: '0',
      cashBefore: '0',
      cashAfter: '0',
      drift: { before: drift, after: drift },
      trades: [],
      dropped: [],
      estimatedCosts: '0',
      estimatedGains: { shortTerm: '0', longTerm: '0' },
      cashLimited: false,
      buysNeedSellProceeds: false,
    },
    gate: { evaluated: false },
    basis: { cash: '0', quantities: {}, prices: {} },
    status: 'failed',
    source: 'scheduled',
    createdAt: iso(nowMs),
    createdBy: 'scheduler',
    expiresAt: iso(nowMs),
    version: 1,
  };
}

async function commitRun(
  h: { unitOfWork(): UnitOfWork; ports: RebalancePorts },
  execution: Execution,
  stage: (uow: UnitOfWork) => void,
  notify?: (uow: UnitOfWork) => Promise<NotificationRecord[]>,
): Promise<'processed' | 'skipped'> {
  const { proposalId, ...rest } = execution;
  const record = proposalId ? execution : rest;
  const uow = h.unitOfWork();
  stage(uow);
  h.ports.planning.putExecution(uow, record, undefined);
  uow.audit({
    action: 'rebalance.run',
    resource: `portfolio/${execution.portfolioId}/execution/${execution.executionId}`,
    after: record,
  });
  const told = notify ? await notify(uow) : [];
  try {
    await uow.commit();
  } catch (e) {
    if (slotTaken(e)) return 'skipped';
    throw e;
  }
  await sendRunNotices(h, told);
  return 'processed';
}
