import { type AnyStrategy, strategies } from '@ballast/core/strategies/index.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest, conflict, notFound } from '@ballast/platform/errors.js';
import { resolveSchema } from '@ballast/platform/schemas/lazy.js';
import type * as z from 'zod/mini';
import { loadAccount, type TradingPorts } from '../trading/index.js';
import { type Acting, iso, nextSlot, scheduleCycle, scheduleFirstFeedback } from './acting.js';
import { newPlaybookId } from './ids.js';
import { type PlaybookBody, type PlaybookPatch, playbookBody } from './schemas.js';
import type { Agent, AutomationStore, Playbook, PlaybookStatus } from './store.js';

/** parsed parameters (a strategy's schema made them: an object) as the record stored and shown */
const recordOf = (x: unknown): Record<string, unknown> =>
  typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x)) : {};

/** The strategy's parameters with its defaults filled in; a misfit is 400 with `body.params.<field>`. */
export function strategyParams(strategy: string, params: Record<string, unknown>): Record<string, unknown> {
  const found: AnyStrategy | undefined = Object.hasOwn(strategies, strategy)
    ? Object.entries(strategies).find(([id]) => id === strategy)?.[1]
    : undefined;
  if (!found) {
    throw badRequest('VALIDATION_FAILED', `No strategy ${strategy}`, [
      { path: 'body.strategy', message: `must be one of ${Object.keys(strategies).join(', ')}` },
    ]);
  }
  const parsed = found.params.safeParse(params);
  if (!parsed.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      `The parameters do not fit ${strategy}`,
      parsed.error.issues.map((i) => ({
        path: ['body', 'params', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  return recordOf(parsed.data);
}

/** The account a playbook trades through must be one of the project's (422 ACCOUNT_NOT_FOUND). */
export async function requireAccount(trading: TradingPorts['trading'], accountId: string) {
  return loadAccount(trading, accountId).catch((e: unknown) => {
    if (e instanceof AppError && e.status === 404) {
      throw new AppError(422, 'ACCOUNT_NOT_FOUND', `No trading account ${accountId} in this project`, {
        errors: [{ path: 'body.accountId', message: 'names no trading account of this project' }],
      });
    }
    throw e;
  });
}

export async function playbookOf(store: AutomationStore, playbookId: string): Promise<Playbook> {
  const found = await store.getPlaybook(playbookId);
  if (!found) throw notFound('PLAYBOOK_NOT_FOUND', `No playbook ${playbookId} in this project`);
  return found;
}

const optional = <K extends string, V>(key: K, value: V | undefined | null) =>
  value === undefined || value === null ? {} : { [key]: value };

function fieldsOf(body: PlaybookBody) {
  return {
    name: body.name,
    strategy: body.strategy,
    params: strategyParams(body.strategy, body.params),
    symbol: body.symbol,
    interval: body.interval,
    bars: body.bars,
    accountId: body.accountId,
    ...optional('sourceOptimisationId', body.sourceOptimisationId),
    ...optional('schedule', body.schedule),
    sizing: body.sizing,
    exits: body.exits,
    maxOrdersPerDay: body.maxOrdersPerDay,
    ...optional('notes', body.notes),
  };
}

/** What creating a playbook needs: its store, the trading desk's accounts, a unit of work, the clock, the caller. */
export interface DraftDeps {
  automation: AutomationStore;
  trading: TradingPorts['trading'];
  unitOfWork(): UnitOfWork;
  now: number;
  actor: string;
}

/** What a new playbook is made of: the create route's body, defaults optional. */
export type PlaybookInput = z.input<ReturnType<typeof playbookBody>>;

/**
 * A new draft playbook from the given fields (the create route, and the optimisation service's
 * "save the winner as a playbook"): the fields are checked as the route checks them (400 with
 * `body.<field>`), the parameters by the strategy's own schema, the account must be the project's.
 */
export async function createDraftPlaybook(d: DraftDeps, input: PlaybookInput): Promise<Playbook> {
  const parsed = resolveSchema(playbookBody).safeParse(input);
  if (!parsed.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      'The playbook fields are invalid',
      parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
    );
  }
  const fields = fieldsOf(parsed.data);
  await requireAccount(d.trading, fields.accountId);
  const at = iso(d.now);
  const playbook: Playbook = {
    playbookId: newPlaybookId(d.now),
    ...fields,
    status: 'draft',
    createdAt: at,
    createdBy: d.actor,
    updatedAt: at,
    updatedBy: d.actor,
    version: 1,
  };
  const uow = d.unitOfWork();
  d.automation.createPlaybook(uow, playbook);
  uow.audit({ action: 'playbook.create', resource: `playbook/${playbook.playbookId}`, after: playbook });
  await uow.commit();
  return playbook;
}

const retiredRefusal = (p: Playbook) =>
  conflict('PLAYBOOK_RETIRED', `Playbook ${p.playbookId} is retired: it can no longer change`);

/**
 * A change to a draft or an active playbook: the fields sent replace the stored ones (`null`
 * clears). A new strategy takes the parameters sent, or its own defaults. An active playbook
 * that moves to another (strategy, symbol, account) moves its claim in the same transaction.
 */
export async function patchPlaybook(a: Acting, before: Playbook, patch: PlaybookPatch): Promise<Playbook> {
  if (before.status === 'retired') throw retiredRefusal(before);
  const strategy = patch.strategy ?? before.strategy;
  const strategyMoved = strategy !== before.strategy;
  const params =
    patch.params !== undefined || strategyMoved ? strategyParams(strategy, patch.params ?? {}) : before.params;
  const { sourceOptimisationId: _s, schedule: _c, notes: _n, ...kept } = before;
  const after: Playbook = {
    ...kept,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    strategy,
    params,
    ...(patch.symbol !== undefined ? { symbol: patch.symbol } : {}),
    ...(patch.interval !== undefined ? { interval: patch.interval } : {}),
    ...(patch.bars !== undefined ? { bars: patch.bars } : {}),
    ...(patch.accountId !== undefined ? { accountId: patch.accountId } : {}),
    ...optional(
      'sourceOptimisationId',
      patch.sourceOptimisationId === undefined ? before.sourceOptimisationId : patch.sourceOptimisationId,
    ),
    ...optional('schedule', patch.schedule === undefined ? before.schedule : patch.schedule),
    ...(patch.sizing !== undefined ? { sizing: patch.sizing } : {}),
    ...(patch.exits !== undefined ? { exits: patch.exits } : {}),
    ...(patch.maxOrdersPerDay !== undefined ? { maxOrdersPerDay: patch.maxOrdersPerDay } : {}),
    ...optional('notes', patch.notes === undefined ? before.notes : patch.notes),
    updatedAt: iso(a.now),
    updatedBy: a.actor,
    version: before.version + 1,
  };
  if (patch.accountId !== undefined) await requireAccount(a.ports.trading, after.accountId);
  const scheduleMoved = JSON.stringify(after.schedule ?? null) !== JSON.stringify(before.schedule ?? null);
  return commitChange(a, before, after, 'playbook.update', undefined, scheduleMoved);
}

/** Only these moves exist: draft → active, active → retired, draft → retired. */
const TRANSITIONS: Readonly<Record<PlaybookStatus, readonly PlaybookStatus[]>> = {
  draft: ['active', 'retired'],
  active: ['retired'],
  retired: [],
};

export async function transitionPlaybook(
  a: Acting,
  before: Playbook,
  to: 'active' | 'retired',
  reason: string | undefined,
): Promise<Playbook> {
  if (!TRANSITIONS[before.status].includes(to)) {
    throw new AppError(409, 'PLAYBOOK_TRANSITION', `A playbook cannot go from ${before.status} to ${to}`, {
      extra: { from: before.status, to },
    });
  }
  if (to === 'active') await requireAccount(a.ports.trading, before.accountId);
  const at = iso(a.now);
  const after: Playbook = {
    ...before,
    status: to,
    ...(to === 'active' ? { activatedAt: at } : { retiredAt: at }),
    updatedAt: at,
    updatedBy: a.actor,
    version: before.version + 1,
  };
  return commitChange(a, before, after, to === 'active' ? 'playbook.activate' : 'playbook.retire', reason, true);
}

/**
 * Writes the new version with what follows from it: the active claim (the store), the agent's
 * next slot and its due work when the playbook is (still) active and scheduled, or no slot.
 */
async function commitChange(
  a: Acting,
  before: Playbook,
  after: Playbook,
  action: string,
  reason: string | undefined,
  rebook: boolean,
): Promise<Playbook> {
  const agent = rebook ? await a.ports.automation.getAgent(after.playbookId) : undefined;
  const uow = a.unitOfWork();
  a.ports.automation.replacePlaybook(uow, before, after);
  if (rebook && (after.status === 'active' || agent)) {
    const due = after.status === 'active' && after.schedule ? iso(nextSlot(after.schedule, a.now)) : null;
    const next: Agent = {
      ...(agent ?? freshAgent(after.playbookId, a.now)),
      nextRunAt: due,
      version: (agent?.version ?? 0) + 1,
    };
    a.ports.automation.putAgent(uow, next, agent?.version);
    // a slot booked before stays queued: its run finds the agent's nextRunAt moved on and skips
    if (due) scheduleCycle(a, uow, after.playbookId, due);
  }
  // becoming active starts the feedback loop's daily runs (each books the next while it stays active)
  if (after.status === 'active' && before.status !== 'active') scheduleFirstFeedback(a, uow, after.playbookId);
  uow.audit({
    action,
    resource: `playbook/${after.playbookId}`,
    before,
    after: reason ? { ...after, reason } : after,
  });
  await uow.commit();
  return after;
}

export function freshAgent(playbookId: string, nowMs: number): Agent {
  return {
    playbookId,
    nextRunAt: null,
    successCount: 0,
    errorCount: 0,
    recent: [],
    ordersToday: { day: iso(nowMs).slice(0, 10), count: 0 },
    version: 0,
  };
}

export async function deleteDraft(a: Acting, playbook: Playbook): Promise<void> {
  if (playbook.status !== 'draft') {
    throw conflict('PLAYBOOK_NOT_DRAFT', `Playbook ${playbook.playbookId} is ${playbook.status}: retire it instead`);
  }
  const uow = a.unitOfWork();
  await a.ports.automation.deletePlaybook(uow, playbook);
  uow.audit({ action: 'playbook.delete', resource: `playbook/${playbook.playbookId}`, before: playbook, after: null });
  await uow.commit();
}
