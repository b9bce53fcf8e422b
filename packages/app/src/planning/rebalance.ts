import { positionQuantity } from '@ballast/core/ledger/figures.js';
import { type D, Dec, decimalString, formatMoney, money } from '@ballast/core/money.js';
import { addDays } from '@ballast/core/performance/dates.js';
import {
  type ProposalHolding,
  type ProposalPlan,
  type ProposalTrade,
  proposeRebalance,
  type RecentTrade,
  type TradeGate,
} from '@ballast/core/rebalance/proposal.js';
import type { Env, RequestContext } from '@ballast/platform/context/types.js';
import type { JobEnvelope } from '@ballast/platform/jobs/envelope.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, conflict } from '@ballast/platform/errors.js';
import { livePortfolio, openingBook, valueBook } from '../portfolio/index.js';
import {
  type Account,
  type AllocationContext,
  allocationGateFor,
  loadAccount,
  placeOrder,
  type TradingDeps,
  tradingDeps,
} from '../trading/index.js';
import { newExecutionId, newProposalId } from './ids.js';
import { FILL_WAIT_INTERVAL_MS, FILL_WAIT_LIMIT_MS, jobs } from './jobs.js';
import type { RebalancePorts } from './ports.js';
import type { ProposalOptionsBody } from './rebalance-schemas.js';
import { sendRunNotices, stageRunFailed } from './run-notices.js';
import type { Category, Execution, ExecutionOrder, ExecutionType, Proposal } from './store.js';

/** A slot's claim lost: another delivery of the same slot ran it (store.ts `claimSlot`). */
export const slotTaken = (e: unknown) => e instanceof AppError && e.code === 'SLOT_ALREADY_RUN';

/** Who acts: a request's verified caller or a job's scheduler, in one tenant, env and project. */
export interface Acting {
  ports: RebalancePorts;
  now: number;
  unitOfWork(): UnitOfWork;
  tenantId: string;
  env: Env;
  projectId: string;
  actor: string;
}

/** What a route's context carries that planning's use cases need. */
interface RequestParts {
  ports: RebalancePorts;
  now: number;
  unitOfWork(): UnitOfWork;
  ctx: RequestContext;
}

/** Who acts for a request: its verified caller, tenant, env and project. */
export function acting(h: RequestParts): Acting {
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

/** Who acts for a job: the scheduler, in its envelope's tenant, env and project. */
export function jobActing(h: {
  ports: RebalancePorts;
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

/** A proposal is stale after this long whatever moved: prices and books rarely stand still for an hour. */
export const PROPOSAL_TTL_MS = 60 * 60_000;
/** Ledger trades read for the wash-sale window (30 days back), at most. */
const MAX_RECENT_ENTRIES = 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const ZERO = new Dec(0);

export const deps = (h: Acting): TradingDeps => tradingDeps({ ...h, ctx: undefined });

/** The account a rebalance trades through, which must be the portfolio's own. */
export async function accountFor(h: Acting, portfolioId: string, accountId: string): Promise<Account> {
  const account = await loadAccount(h.ports.trading, accountId).catch((e: unknown) => {
    if (e instanceof AppError && e.status === 404) {
      throw new AppError(422, 'ACCOUNT_NOT_FOUND', `No trading account ${accountId} in this project`);
    }
    throw e;
  });
  if (account.portfolioId !== portfolioId) {
    throw new AppError(
      422,
      'ACCOUNT_PORTFOLIO_MISMATCH',
      `Account ${accountId} trades portfolio ${account.portfolioId}, not ${portfolioId}`,
    );
  }
  return account;
}

const categoryContext = (c: Category | undefined): AllocationContext =>
  c?.maxSinglePositionPct !== undefined
    ? { category: { name: c.name, maxSinglePositionPct: Number(c.maxSinglePositionPct) } }
    : {};

/** The book as the planner takes it: priced holdings in the base currency with their FIFO lots. */
async function planningInputs(h: Acting, portfolioId: string) {
  const portfolio = await livePortfolio(h.ports.portfolios, portfolioId);
  const nowIso = iso(h.now);
  const record = (await h.ports.ledger.getBook(portfolioId)) ?? openingBook(portfolio, nowIso);
  const [valued, categories, assignments, exclusions, rules] = await Promise.all([
    valueBook(record, h.ports.prices, nowIso),
    h.ports.planning.allCategories(portfolioId),
    h.ports.planning.listAssignments(portfolioId),
    h.ports.planning.listExclusions(portfolioId),
    h.ports.planning.allRules(portfolioId),
  ]);
  const base = valued.baseCurrency;
  const rates = new Map<string, D>([[base, new Dec(1)]]);
  for (const c of new Set(valued.holdings.map((x) => x.currency))) {
    if (rates.has(c)) continue;
    const found = await h.ports.prices.fxRate(c, base);
    if (found) rates.set(c, money(found.rate));
  }
  const holdings: ProposalHolding[] = [];
  for (const x of valued.holdings) {
    const rate = rates.get(x.currency);
    if (x.price === null || !rate || money(x.quantity).lte(0)) continue;
    const position = record.book.positions[x.symbol];
    holdings.push({
      symbol: x.symbol,
      quantity: x.quantity,
      price: decimalString(money(x.price).times(rate)),
      lots: (position?.lots ?? []).map((lot) => ({
        ...lot,
        costBasis: decimalString(money(lot.costBasis).times(rate)),
      })),
    });
  }
  const held = new Set(holdings.map((x) => x.symbol));
  const wanted = assignments.map((a) => a.symbol).filter((s) => !held.has(s));
  const quotes = wanted.length ? await h.ports.prices.latest(wanted) : new Map();
  const prices: Record<string, string> = {};
  for (const [symbol, point] of quotes) prices[symbol] = point.price;
  return {
    record,
    valued,
    categories,
    assignments,
    exclusions,
    rules,
    holdings,
    prices,
    recentTrades: await recentTrades(h, portfolioId, record.openImports),
  };
}

async function recentTrades(h: Acting, portfolioId: string, openImports: readonly string[]): Promise<RecentTrade[]> {
  const today = iso(h.now).slice(0, 10);
  const out: RecentTrade[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.ports.ledger.listEntries(
      portfolioId,
      { limit: 200, from: addDays(today, -30), ...(cursor ? { cursor } : {}) },
      openImports,
    );
    for (const e of page.items) {
      if ((e.type !== 'BUY' && e.type !== 'SELL') || !e.symbol || e.reversalOf) continue;
      out.push({
        symbol: e.symbol,
        side: e.type === 'BUY' ? 'buy' : 'sell',
        tradeDate: e.tradeDate,
        ...(e.effect.realised ? { realisedGain: e.effect.realised.gain } : {}),
      });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < MAX_RECENT_ENTRIES);
  return out;
}

/** The trading desk's allocation checks on the account as it stands, asked of every planned trade. */
async function gateOf(h: Acting, accountId: string, categories: readonly Category[]): Promise<TradeGate> {
  const gate = await allocationGateFor(deps(h), accountId);
  const byId = new Map(categories.map((c) => [c.categoryId, c]));
  // the planner asks sells first: the buys after them are checked on the cash those sells will bring
  let proceeds = ZERO;
  return (trade) => {
    const allocation = categoryContext(byId.get(trade.categoryId));
    const decision = gate.decide({ ...trade, allocation }, trade.side === 'buy' ? decimalString(proceeds) : '0');
    if (decision.approved) {
      if (trade.side === 'sell') proceeds = proceeds.plus(money(trade.quantity).times(money(trade.price)));
      return { approved: true };
    }
    const failed = decision.checks.find((c) => !c.passed);
    return { approved: false, check: failed?.name ?? 'risk', detail: failed?.detail ?? 'rejected' };
  };
}

/**
 * Makes a proposal on the book, categories and prices now (not stored: the caller writes it with
 * whatever else its change needs). With an account, each trade's risk-gate outcome is in it.
 */
export async function makeProposal(
  h: Acting,
  portfolioId: string,
  options: ProposalOptionsBody,
  source: ExecutionType,
  o: { accountId?: string; scheduleId?: string; maxTrades?: number } = {},
): Promise<Proposal> {
  const inputs = await planningInputs(h, portfolioId);
  const account = o.accountId ? await accountFor(h, portfolioId, o.accountId) : undefined;
  const gate = account ? await gateOf(h, account.accountId, inputs.categories) : undefined;
  const cash = inputs.valued.totals.cash;
  let plan: ProposalPlan;
  try {
    plan = proposeRebalance(
      {
        baseCurrency: inputs.valued.baseCurrency,
        cash: decimalString(Dec.max(cash, ZERO)),
        holdings: inputs.holdings,
        prices: inputs.prices,
        categories: inputs.categories,
        assignments: inputs.assignments,
        exclusions: inputs.exclusions,
        recentTrades: inputs.recentTrades,
        plannedBuys: inputs.rules.filter((r) => r.kind === 'dca' && r.enabled).map((r) => r.symbol),
        options: {
          band: options.band,
          ...(options.thresholdPct !== undefined ? { thresholdPct: options.thresholdPct } : {}),
          cashFirst: options.cashFirst,
          minNotional: options.minNotional,
          ...((o.maxTrades ?? options.maxTrades) !== undefined ? { maxTrades: o.maxTrades ?? options.maxTrades } : {}),
          fractional: options.fractional,
          taxAware: options.taxAware,
          costBps: options.costBps,
          perTradeFee: options.perTradeFee,
          today: iso(h.now).slice(0, 10),
        },
      },
      gate,
    );
  } catch (e) {
    if (e instanceof RangeError) throw new AppError(422, 'NOTHING_TO_REBALANCE', e.message);
    throw e;
  }
  plan = withGainsRounded(plan);
  const quantities: Record<string, string> = {};
  for (const [symbol, p] of Object.entries(inputs.record.book.positions)) {
    const q = positionQuantity(p);
    if (!money(q).isZero()) quantities[symbol] = q;
  }
  const prices: Record<string, string> = { ...inputs.prices };
  for (const x of inputs.holdings) prices[x.symbol] = x.price;
  const at = iso(h.now);
  return {
    proposalId: newProposalId(h.now),
    portfolioId,
    ...(account ? { accountId: account.accountId } : {}),
    options,
    plan,
    gate: account
      ? { evaluated: true, accountId: account.accountId }
      : { evaluated: false, detail: 'no accountId: the trades were not put to a risk gate' },
    basis: { cash: inputs.record.book.cash, quantities, prices },
    status: 'proposed',
    source,
    ...(o.scheduleId ? { scheduleId: o.scheduleId } : {}),
    createdAt: at,
    createdBy: h.actor,
    expiresAt: iso(h.now + PROPOSAL_TTL_MS),
    version: 1,
  };
}

/**
 * A sold part of a lot carries its basis pro rata, exact to 34 digits: the lots' money figures and
 * gains are rounded at the edge to the base currency's minor unit (half-even). Quantities, prices,
 * notionals and costs are exact products and stay as they are, so cashAfter reconciles to the cent.
 */
function withGainsRounded(plan: ProposalPlan): ProposalPlan {
  const round = (x: string) => formatMoney(x, plan.baseCurrency);
  return {
    ...plan,
    trades: plan.trades.map((t) => ({
      ...t,
      ...(t.lots
        ? {
            lots: t.lots.map((l) => ({
              ...l,
              costBasis: round(l.costBasis),
              proceeds: round(l.proceeds),
              gain: round(l.gain),
            })),
          }
        : {}),
      ...(t.estimatedGain !== undefined ? { estimatedGain: round(t.estimatedGain) } : {}),
    })),
    estimatedGains: { shortTerm: round(plan.estimatedGains.shortTerm), longTerm: round(plan.estimatedGains.longTerm) },
  };
}

/** What moved since the proposal was made (empty: it still stands). */
export async function stalenessOf(h: Acting, proposal: Proposal): Promise<string[]> {
  if (h.now > Date.parse(proposal.expiresAt)) return [`the proposal expired at ${proposal.expiresAt}`];
  const out: string[] = [];
  const record = await h.ports.ledger.getBook(proposal.portfolioId);
  const cash = record?.book.cash ?? proposal.basis.cash;
  if (!money(cash).eq(proposal.basis.cash)) out.push(`cash moved from ${proposal.basis.cash} to ${cash}`);
  const now: Record<string, string> = {};
  for (const [symbol, p] of Object.entries(record?.book.positions ?? {})) {
    const q = positionQuantity(p);
    if (!money(q).isZero()) now[symbol] = q;
  }
  for (const symbol of new Set([...Object.keys(now), ...Object.keys(proposal.basis.quantities)])) {
    const was = proposal.basis.quantities[symbol] ?? '0';
    const is = now[symbol] ?? '0';
    if (!money(was).eq(is)) out.push(`${symbol} holding moved from ${was} to ${is}`);
  }
  const traded = [...new Set(proposal.plan.trades.map((t) => t.symbol))];
  const latest = traded.length ? await h.ports.prices.latest(traded) : new Map();
  const tolerance = money(proposal.options.priceTolerancePct);
  for (const symbol of traded) {
    const was = money(proposal.basis.prices[symbol] ?? '0');
    const point = latest.get(symbol);
    if (!point || was.isZero()) {
      out.push(`${symbol} has no price now`);
      continue;
    }
    const movedPct = money(point.price).minus(was).abs().div(was).times(100);
    if (movedPct.gt(tolerance)) {
      out.push(`${symbol} price moved ${movedPct.toDecimalPlaces(2).toFixed()}% (${was.toFixed()} → ${point.price})`);
    }
  }
  return out;
}

/** One order of the plan through the execution engine, as an allocation order; a refusal is recorded, not thrown. */
async function send(
  h: Acting,
  account: Account,
  trade: Pick<ProposalTrade, 'symbol' | 'side' | 'quantity' | 'categoryId'>,
  categories: ReadonlyMap<string, Category>,
  note: string,
  previewCash?: D,
): Promise<ExecutionOrder> {
  const base = { symbol: trade.symbol, side: trade.side, quantity: trade.quantity };
  try {
    const placed = await placeOrder(
      deps(h),
      {
        accountId: account.accountId,
        symbol: trade.symbol,
        side: trade.side,
        type: 'market',
        quantity: trade.quantity,
        timeInForce: 'day',
        note,
      },
      {
        intent: 'allocation',
        allocation: categoryContext(categories.get(trade.categoryId)),
        ...(previewCash ? { previewCash: decimalString(previewCash) } : {}),
      },
    );
    if (placed.kind !== 'order') return { ...base, status: 'not_sent', error: { code: 'NO_ORDER', detail: 'dry run' } };
    return { ...base, orderId: placed.order.orderId, status: placed.order.status };
  } catch (e) {
    if (e instanceof AppError && e.status < 500) {
      return { ...base, status: 'not_sent', error: { code: e.code, detail: e.message } };
    }
    throw e;
  }
}

const sentOk = (o: ExecutionOrder) => o.orderId !== undefined && o.status !== 'rejected';

function finish(execution: Execution, h: Acting, patch: Partial<Execution>): Execution {
  const next = { ...execution, ...patch, version: execution.version + 1 };
  const executed = next.orders.filter(sentOk).length;
  const done = next.status !== 'awaiting_fills' && next.status !== 'sending';
  return {
    ...next,
    tradesExecuted: executed,
    success: next.status === 'skipped' || (done && executed === next.tradesPlanned && !next.error),
    ...(done ? { finishedAt: iso(h.now) } : {}),
  };
}

/** Schedules the next look at an execution waiting on its sells' fills. */
function scheduleContinue(h: Acting, uow: UnitOfWork, execution: Execution): void {
  h.ports.due.schedule(uow, {
    job: jobs.executionContinue.id,
    tenantId: h.tenantId,
    env: h.env,
    projectId: h.projectId,
    workId: execution.executionId,
    dueAt: iso(h.now + FILL_WAIT_INTERVAL_MS),
    payload: { portfolioId: execution.portfolioId, executionId: execution.executionId },
  });
}

/** A new execution record for a proposal, before any order is sent. */
export function executionOf(
  h: Acting,
  proposal: Proposal,
  type: ExecutionType,
  account: Account | undefined,
  extra: Partial<Execution> = {},
): Execution {
  return {
    executionId: newExecutionId(h.now),
    portfolioId: proposal.portfolioId,
    type,
    proposalId: proposal.proposalId,
    ...(proposal.scheduleId ? { scheduleId: proposal.scheduleId } : {}),
    ...(account ? { accountId: account.accountId, mode: account.mode } : {}),
    status: 'completed',
    portfolioValue: proposal.plan.totalValue,
    driftBefore: proposal.plan.drift.before.totalDriftPct,
    driftAfter: proposal.plan.drift.after.totalDriftPct,
    tradesPlanned: proposal.plan.trades.length,
    tradesExecuted: 0,
    orders: [],
    success: false,
    startedAt: iso(h.now),
    by: h.actor,
    version: 1,
    ...extra,
  };
}

/**
 * Executes a stored proposal: refuses a stale one (409 PROPOSAL_STALE) or one already used
 * (409 PROPOSAL_ALREADY_EXECUTED); claims it and writes the execution record first, so a second
 * execute loses the race on the proposal's version; then sends the sells, and the buys now when
 * the cash is there (or on GUIDE, where nothing reaches the venue) — else once the sells have filled.
 */
export async function executeProposal(
  h: Acting,
  proposal: Proposal,
  type: ExecutionType,
  account: Account,
  extra: Partial<Execution> = {},
  o: {
    /** the proposal was made for this run (a schedule's): it is written here, and cannot be stale */
    isNew?: boolean;
    /** more writes for the claiming unit of work (a schedule's slot claim and next run) */
    stage?: (uow: UnitOfWork, executionId: string) => void;
  } = {},
): Promise<Execution> {
  if (proposal.status !== 'proposed') {
    const by = proposal.executionId ? ` (${proposal.executionId})` : '';
    throw conflict('PROPOSAL_ALREADY_EXECUTED', `Proposal ${proposal.proposalId} is ${proposal.status}${by}`);
  }
  const moved = o.isNew ? [] : await stalenessOf(h, proposal);
  if (moved.length) {
    throw new AppError(
      409,
      'PROPOSAL_STALE',
      `The portfolio changed since the proposal was made: ${moved.join('; ')}`,
      {
        extra: { changed: moved },
      },
    );
  }
  let execution = executionOf(h, proposal, type, account, { ...extra, status: 'sending' });
  const claimed: Proposal = {
    ...proposal,
    status: 'executing',
    executionId: execution.executionId,
    version: proposal.version + 1,
  };
  const uow = h.unitOfWork();
  h.ports.planning.putProposal(uow, claimed, o.isNew ? undefined : proposal.version);
  h.ports.planning.putExecution(uow, execution, undefined);
  // the watchdog: it finds the run ended, waiting on fills (and goes on), or stopped mid-way (failed)
  scheduleContinue(h, uow, execution);
  o.stage?.(uow, execution.executionId);
  uow.audit({
    action: 'rebalance.execute',
    resource: `portfolio/${proposal.portfolioId}/execution/${execution.executionId}`,
    after: execution,
  });
  await uow.commit();

  const categories = new Map(
    (await h.ports.planning.allCategories(proposal.portfolioId)).map((c) => [c.categoryId, c]),
  );
  const note = `rebalance ${proposal.proposalId}`;
  const sells = proposal.plan.trades.filter((t) => t.side === 'sell');
  const buys = proposal.plan.trades.filter((t) => t.side === 'buy');
  const orders: ExecutionOrder[] = [];
  for (const t of sells) orders.push(await send(h, account, t, categories, note));
  const guide = account.mode === 'GUIDE';
  const waitForSells =
    !guide &&
    buys.length > 0 &&
    proposal.plan.buysNeedSellProceeds &&
    orders.some((o) => o.orderId && o.status !== 'filled');
  // a GUIDE preview's sells never fill: its buys are previewed on the cash the sells would bring
  const previewCash = guide
    ? sells.reduce(
        (sum, t, i) => (orders[i]?.orderId ? sum.plus(money(t.notional)).minus(money(t.estimatedCost)) : sum),
        ZERO,
      )
    : undefined;
  if (!waitForSells) for (const t of buys) orders.push(await send(h, account, t, categories, note, previewCash));
  const status = guide ? 'previewed' : waitForSells ? 'awaiting_fills' : 'completed';
  const done = finish(execution, h, { orders, status, ...(waitForSells ? { pendingBuys: buys } : {}) });
  const after: Proposal = { ...claimed, status: guide ? 'previewed' : 'executed', version: claimed.version + 1 };
  const end = h.unitOfWork();
  h.ports.planning.putExecution(end, done, execution.version);
  h.ports.planning.putProposal(end, after, claimed.version);
  await end.commit();
  execution = done;
  return execution;
}

const ENDED = new Set(['filled', 'cancelled', 'rejected', 'expired']);

/** An execution's record as its notices name it (the path of GET …/executions/{id} under /v1). */
export const executionResource = (e: Pick<Execution, 'portfolioId' | 'executionId'>) =>
  `portfolios/${e.portfolioId}/rebalance/executions/${e.executionId}`;

/**
 * A scheduled run's notice of its failure, staged with the record that says so (a run by hand
 * tells nobody: its caller has the answer).
 */
async function stageScheduledFailure(h: Acting, uow: UnitOfWork, execution: Execution) {
  // a schedule's run carries its slot; a schedule's stored proposal executed by hand does not
  if (!execution.scheduleId || !execution.slot || execution.status !== 'failed') return [];
  const schedule = await h.ports.planning.getSchedule(execution.portfolioId, execution.scheduleId);
  const name = schedule ? `"${schedule.name}" (${execution.scheduleId})` : execution.scheduleId;
  const why = execution.error ? `${execution.error.code}: ${execution.error.detail}` : 'no reason recorded';
  return stageRunFailed(h, uow, {
    ...(schedule?.createdBy ? { createdBy: schedule.createdBy } : {}),
    ...(execution.accountId ? { accountId: execution.accountId } : {}),
    subject: `Scheduled rebalance ${schedule ? `"${schedule.name}" ` : ''}failed`,
    body:
      `The ${execution.slot ?? execution.startedAt} run of rebalancing schedule ${name} on portfolio ` +
      `${execution.portfolioId} failed: ${why}.`,
    resource: executionResource(execution),
  });
}

/** Longer than any route's or job's timeout: a run still `sending` after this has stopped. */
export const SENDING_LIMIT_MS = 3 * 60_000;

/**
 * An execution still `sending` when its watchdog looks: looked at again while the run may still be
 * going; past SENDING_LIMIT_MS its worker stopped mid-way (a crash, a timeout), and the run is
 * marked failed so nobody takes it for done — the orders it did send carry its proposal in their note.
 */
async function watchSending(h: Acting, execution: Execution): Promise<Execution> {
  const uow = h.unitOfWork();
  let next: Execution;
  if (h.now - Date.parse(execution.startedAt) < SENDING_LIMIT_MS) {
    next = { ...execution, version: execution.version + 1 };
    scheduleContinue(h, uow, next);
  } else {
    next = finish(execution, h, {
      status: 'failed',
      error: {
        code: 'INTERRUPTED',
        detail: `the run stopped while sending orders: see GET /v1/orders (note "rebalance ${execution.proposalId}")`,
      },
    });
  }
  h.ports.planning.putExecution(uow, next, execution.version);
  const told = await stageScheduledFailure(h, uow, next);
  await uow.commit();
  await sendRunNotices(h, told);
  return next;
}

/**
 * The buys of an execution that waited on its sells: once every sell has ended, the buys go out
 * scaled to the cash the book holds now (never more than planned); after FILL_WAIT_LIMIT_MS the
 * buys are given up with a reason.
 */
export async function continueExecution(h: Acting, execution: Execution): Promise<Execution> {
  if (execution.status === 'sending') return watchSending(h, execution);
  if (execution.status !== 'awaiting_fills' || !execution.accountId) return execution;
  const account = await loadAccount(h.ports.trading, execution.accountId);
  const orders: ExecutionOrder[] = [];
  for (const o of execution.orders) {
    const order = o.orderId ? await h.ports.trading.getOrder(o.orderId) : undefined;
    orders.push(order ? { ...o, status: order.status } : o);
  }
  const working = orders.filter((o) => o.orderId && !ENDED.has(o.status));
  const pending = execution.pendingBuys ?? [];
  const uow = h.unitOfWork();
  let next: Execution;
  if (working.length) {
    if (h.now - Date.parse(execution.startedAt) < FILL_WAIT_LIMIT_MS) {
      next = { ...execution, orders, version: execution.version + 1 };
      scheduleContinue(h, uow, next);
    } else {
      next = finish(execution, h, {
        orders: [
          ...orders,
          ...pending.map((t) => ({
            symbol: t.symbol,
            side: t.side,
            quantity: t.quantity,
            status: 'not_sent',
            error: { code: 'SELLS_NOT_FILLED', detail: `${working.length} sell(s) still working after 30 minutes` },
          })),
        ],
        status: 'completed',
        pendingBuys: [],
        error: { code: 'SELLS_NOT_FILLED', detail: 'the buys were given up: their sells did not fill in time' },
      });
    }
  } else {
    const record = await h.ports.ledger.getBook(execution.portfolioId);
    const cash = money(record?.book.cash ?? '0');
    const planned = pending.reduce((s, t) => s.plus(money(t.notional)).plus(money(t.estimatedCost)), ZERO);
    // the sells may have filled lower than planned: every buy shrinks by the same factor, whole steps
    const factor = planned.gt(cash) && planned.gt(0) ? Dec.max(cash, ZERO).div(planned) : new Dec(1);
    const categories = new Map(
      (await h.ports.planning.allCategories(execution.portfolioId)).map((c) => [c.categoryId, c]),
    );
    for (const t of pending) {
      const step = t.quantity.includes('.')
        ? new Dec(10).pow(-(t.quantity.length - t.quantity.indexOf('.') - 1))
        : new Dec(1);
      const quantity = money(t.quantity).times(factor).div(step).floor().times(step);
      if (quantity.lte(0)) {
        orders.push({
          symbol: t.symbol,
          side: t.side,
          quantity: '0',
          status: 'not_sent',
          error: { code: 'WOULD_OVERDRAW', detail: `the sells left ${cash.toFixed()} in cash` },
        });
        continue;
      }
      orders.push(
        await send(
          h,
          account,
          { ...t, quantity: decimalString(quantity) },
          categories,
          `rebalance ${execution.proposalId}`,
        ),
      );
    }
    next = finish(execution, h, { orders, status: 'completed', pendingBuys: [] });
  }
  h.ports.planning.putExecution(uow, next, execution.version);
  await uow.commit();
  return next;
}
