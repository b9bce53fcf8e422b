import { runBacktest } from '@ballast/core/backtest/index.js';
import { type D, Dec, decimalString, money } from '@ballast/core/money.js';
import { type AnyStrategy, strategies } from '@ballast/core/strategies/index.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError } from '@ballast/platform/errors.js';
import { optimisationWinner } from '../research/index.js';
import { type BudgetChange, type Order, stageStrategyBudget } from '../trading/index.js';
import { type Acting, iso } from './acting.js';
import { newFeedbackId, newSnapshotId } from './ids.js';
import type { FeedbackAction, FeedbackDecision, FeedbackSettings, PerformanceSnapshot, Playbook } from './store.js';

/** SPEC §3's bounds, and the loop's own judgement calls, before a tenant sets its own. */
export const DEFAULT_FEEDBACK: Readonly<Omit<FeedbackSettings, 'version'>> = {
  minWinRate: 0.4,
  minProfitFactor: 1,
  maxConsecutiveLosses: 5,
  minTrades: 5,
  disableAfterTrades: 20,
  returnTolerance: 0.5,
  reoptimiseCooldownDays: 7,
};

export type Thresholds = Omit<FeedbackSettings, 'version' | 'updatedAt' | 'updatedBy'>;

export const thresholdsOf = (s: FeedbackSettings | undefined): Thresholds => {
  if (!s) return { ...DEFAULT_FEEDBACK };
  const { version: _v, updatedAt: _a, updatedBy: _b, ...rest } = s;
  return rest;
};

/** How many of a playbook's cycles, and of its account's orders in its symbol, one run reads at most. */
const MAX_CYCLES = 2000;
const MAX_ORDERS = 2000;
const PAGE = 200;
const BRACKET_NOTE = /^bracket (stop|target) of order (\S+)$/;
const DAY_MS = 86_400_000;

// --- the playbook's realised round trips ----------------------------------------------------

/** One closed round trip: what it cost to open (fills and fees) and what it realised. */
export interface RoundTrip {
  openOrderId?: string;
  closeOrderId: string;
  cost: D | null;
  pnl: D;
  closedAt: string;
}

async function allPages<T>(read: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>, max: number) {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out.slice(0, max);
}

const costOf = (o: Order): D =>
  o.fills.reduce((sum, f) => sum.plus(money(f.quantity).times(money(f.price))).plus(money(f.fee)), new Dec(0));
const realisedOf = (o: Order): D => o.fills.reduce((sum, f) => sum.plus(money(f.realisedPnl ?? '0')), new Dec(0));

/**
 * The playbook's closed round trips, oldest first: the buys its cycles placed (their note names
 * the playbook), closed by the sells that followed — the bracket exit the trading desk recorded
 * for that buy (`bracket stop|target of order <id>`) or a cycle's own closing sell. Only fills
 * count: previews and orders that never filled trade nothing.
 */
export async function roundTrips(a: Acting, playbook: Playbook): Promise<RoundTrip[]> {
  const cycles = await allPages(
    (cursor) =>
      a.ports.automation.listCycles({ playbookId: playbook.playbookId, limit: PAGE, ...(cursor ? { cursor } : {}) }),
    MAX_CYCLES,
  );
  const cycleOrderIds = new Set(
    cycles.flatMap((c) => (c.order && c.order.status !== 'previewed' ? [c.order.orderId] : [])),
  );
  if (cycleOrderIds.size === 0) return [];
  const orders = await allPages(
    (cursor) =>
      a.ports.trading.listOrders({
        accountId: playbook.accountId,
        symbol: playbook.symbol,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      }),
    MAX_ORDERS,
  );
  const buys = new Set(orders.filter((o) => cycleOrderIds.has(o.orderId) && o.side === 'buy').map((o) => o.orderId));
  const exitOf = (o: Order) => {
    const m = o.side === 'sell' && o.note ? BRACKET_NOTE.exec(o.note) : null;
    return m && buys.has(m[2]) ? m[2] : undefined;
  };
  const relevant = orders
    .filter((o) => o.fills.length > 0 && (cycleOrderIds.has(o.orderId) || exitOf(o) !== undefined))
    .sort((x, y) => (x.createdAt < y.createdAt ? -1 : x.createdAt > y.createdAt ? 1 : x.orderId < y.orderId ? -1 : 1));
  const trips: RoundTrip[] = [];
  let open: Order | undefined;
  for (const o of relevant) {
    if (o.side === 'buy') {
      open = o;
      continue;
    }
    const opener = exitOf(o) ?? open?.orderId;
    const buy = opener ? relevant.find((r) => r.orderId === opener) : undefined;
    trips.push({
      ...(buy ? { openOrderId: buy.orderId } : {}),
      closeOrderId: o.orderId,
      cost: buy ? costOf(buy) : null,
      pnl: realisedOf(o),
      closedAt: o.fills[o.fills.length - 1].at,
    });
    if (buy && open?.orderId === buy.orderId) open = undefined;
  }
  return trips;
}

export type LiveMetrics = FeedbackDecision['inputs']['live'];

const ratio = (x: D, y: D): number | null => (y.isZero() ? null : x.div(y).toNumber());

/** Trades, wins, losses, rates and the realised P&L of the round trips; a loss streak as the trading desk counts it. */
export function performanceOf(trips: readonly RoundTrip[], asOf: string): LiveMetrics {
  let won = new Dec(0);
  let lost = new Dec(0);
  let wins = 0;
  let losses = 0;
  let streak = 0;
  let cost = new Dec(0);
  const returns: number[] = [];
  for (const t of trips) {
    if (t.pnl.gt(0)) {
      wins++;
      won = won.plus(t.pnl);
      streak = 0;
    } else if (t.pnl.lt(0)) {
      losses++;
      lost = lost.minus(t.pnl);
      streak++;
    }
    if (t.cost && t.cost.gt(0)) {
      cost = cost.plus(t.cost);
      returns.push(t.pnl.div(t.cost).toNumber());
    }
  }
  const trades = trips.length;
  const pnl = won.minus(lost);
  return {
    trades,
    wins,
    losses,
    winRate: trades === 0 ? null : wins / trades,
    profitFactor: trades === 0 || lost.isZero() ? null : won.div(lost).toNumber(),
    realisedPnl: decimalString(pnl),
    return: ratio(pnl, cost),
    returnPerTrade: returns.length === 0 ? null : returns.reduce((s, r) => s + r, 0) / returns.length,
    consecutiveLosses: streak,
    asOf,
  };
}

// --- what the backtest expected -------------------------------------------------------------

const strategyOf = (id: string): AnyStrategy | undefined =>
  Object.hasOwn(strategies, id) ? Object.entries(strategies).find(([name]) => name === id)?.[1] : undefined;

const finite = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The per-trade return that compounds to the total over the trades (the backtest sizes at its whole equity). */
function perTrade(totalReturn: number | null, trades: number | null): number | null {
  if (totalReturn === null || trades === null || trades <= 0 || totalReturn <= -1) return null;
  return (1 + totalReturn) ** (1 / trades) - 1;
}

function expectationFrom(source: Record<string, unknown>, m: Record<string, unknown>): Record<string, unknown> {
  const totalReturn = finite(m.totalReturn);
  const tradeCount = finite(m.tradeCount);
  return {
    ...source,
    winRate: finite(m.winRate),
    profitFactor: finite(m.profitFactor),
    totalReturn,
    tradeCount,
    expectancy: finite(m.expectancy),
    returnPerTrade: perTrade(totalReturn, tradeCount),
  };
}

/**
 * What the playbook was expected to do: the winner of its source optimisation (its metrics), or —
 * without one, or when that optimisation is not the project's or has not completed — a baseline
 * backtest run now on the playbook's own stored bars (the last `bars` up to now) with its params
 * and core's default settings, computed and not stored. Null when neither can be had.
 */
export async function expectationOf(a: Acting, playbook: Playbook): Promise<Record<string, unknown> | null> {
  if (playbook.sourceOptimisationId) {
    const winner = await optimisationWinner(a.ports.optimisation.optimisations, playbook.sourceOptimisationId);
    if (winner?.metrics) {
      return expectationFrom(
        { source: 'optimisation', optimisationId: winner.optimisationId, params: winner.best.params },
        winner.metrics,
      );
    }
  }
  const strategy = strategyOf(playbook.strategy);
  if (!strategy) return null;
  const bars = await a.ports.candles.latest(playbook.symbol, playbook.interval, a.now, playbook.bars);
  if (bars.length < 2) return null;
  try {
    const result = runBacktest({ candles: bars, strategy, params: playbook.params });
    return expectationFrom(
      {
        source: 'baseline',
        bars: bars.length,
        from: iso(bars.time[0]),
        to: iso(bars.time[bars.length - 1]),
        params: playbook.params,
      },
      { ...result.metrics },
    );
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

// --- the judgement --------------------------------------------------------------------------

export interface Verdict {
  action: FeedbackAction;
  code: string;
  reasoning: string;
  /** how far the live return per trade falls short of the expected, as a fraction of it */
  deviation: number | null;
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/**
 * The loop's decision, first rule that applies: a loss streak at the bound disables; too few
 * trades only monitors; a win rate and a profit factor both below their bounds over enough trades
 * disable; either below its bound (fewer trades) re-optimises; a live return per trade short of
 * the backtest's by more than the tolerance re-optimises; otherwise it monitors.
 */
export function judge(live: LiveMetrics, expected: Record<string, unknown> | null, t: Thresholds): Verdict {
  const expectedPerTrade = expected ? finite(expected.returnPerTrade) : null;
  const deviation =
    expectedPerTrade !== null && expectedPerTrade !== 0 && live.returnPerTrade !== null
      ? (expectedPerTrade - live.returnPerTrade) / Math.abs(expectedPerTrade)
      : null;
  const wr = live.winRate;
  const pf = live.profitFactor;
  if (live.consecutiveLosses >= t.maxConsecutiveLosses) {
    return {
      action: 'disable',
      code: 'LOSS_STREAK',
      reasoning: `${live.consecutiveLosses} losses in a row (the bound is ${t.maxConsecutiveLosses})`,
      deviation,
    };
  }
  if (live.trades < t.minTrades) {
    return {
      action: 'monitor',
      code: 'NOT_ENOUGH_TRADES',
      reasoning: `${live.trades} closed trade(s): fewer than ${t.minTrades} are too few to judge`,
      deviation,
    };
  }
  const lowWinRate = wr !== null && wr < t.minWinRate;
  // no losing trade: an infinite profit factor, never below the bound
  const lowProfitFactor = pf !== null && pf < t.minProfitFactor;
  const figures =
    `win rate ${pct(wr)} (bound ${pct(t.minWinRate)}), ` + `profit factor ${pf ?? 'n/a'} (bound ${t.minProfitFactor})`;
  if (lowWinRate && lowProfitFactor && live.trades >= t.disableAfterTrades) {
    return {
      action: 'disable',
      code: 'UNDERPERFORMING',
      reasoning: `Over ${live.trades} trades: ${figures}`,
      deviation,
    };
  }
  if (lowWinRate || lowProfitFactor) {
    return {
      action: 'reoptimise',
      code: 'BELOW_THRESHOLDS',
      reasoning: `Over ${live.trades} trades (fewer than ${t.disableAfterTrades} to disable): ${figures}`,
      deviation,
    };
  }
  if (deviation !== null && deviation > t.returnTolerance) {
    return {
      action: 'reoptimise',
      code: 'RETURN_DEVIATION',
      reasoning:
        `The live return per trade ${pct(live.returnPerTrade)} falls short of ` +
        `the backtest's ${pct(expectedPerTrade)} ` +
        `by ${pct(deviation)} of it (tolerance ${pct(t.returnTolerance)})`,
      deviation,
    };
  }
  return {
    action: 'monitor',
    code: 'WITHIN_BOUNDS',
    reasoning: `Over ${live.trades} trades: ${figures}; return per trade ${pct(live.returnPerTrade)}`,
    deviation,
  };
}

// --- re-optimising --------------------------------------------------------------------------

const TUNED_AT_MOST = 4;

/**
 * A small grid around the playbook's parameters: each non-zero numeric one at −20%, as is and +20%
 * (whole steps for integers), kept where the strategy's own schema accepts the point with the
 * others held; at most four parameters move, the rest are held as base parameters.
 */
export function spaceAround(strategy: AnyStrategy, params: Record<string, unknown>) {
  const space: Record<string, { values: number[] }> = {};
  const base: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    // a zero is held: for the built-in strategies it means "off" (no stop, no target)
    const held = typeof value !== 'number' || !Number.isFinite(value) || value === 0;
    if (held || Object.keys(space).length >= TUNED_AT_MOST) {
      base[name] = value;
      continue;
    }
    const whole = Number.isInteger(value);
    const step = whole ? Math.max(1, Math.round(Math.abs(value) * 0.2)) : Math.abs(value) * 0.2;
    const around = [value - step, value, value + step].map((x) => (whole ? x : Number(x.toPrecision(6))));
    const values = [...new Set(around)].filter((x) => strategy.params.safeParse({ ...params, [name]: x }).success);
    if (values.length >= 2) space[name] = { values };
    else base[name] = value;
  }
  return { space, base };
}

/** Starts research's optimisation with the body as POST /v1/optimisations takes it; its id, or why not. */
export type StartOptimisation = (body: Record<string, unknown>) => Promise<{ optimisationId: string }>;

async function reoptimise(a: Acting, playbook: Playbook, t: Thresholds, start: StartOptimisation) {
  const recent = await a.ports.automation.listFeedback({ playbookId: playbook.playbookId, limit: 50 });
  const since = a.now - t.reoptimiseCooldownDays * DAY_MS;
  const previous = recent.items.find(
    (d) => d.action === 'reoptimise' && d.result.started === true && Date.parse(d.at) >= since,
  );
  if (previous) {
    return {
      started: false,
      reason: 'COOLDOWN',
      optimisationId: previous.result.optimisationId,
      detail: `An optimisation started at ${previous.at}, within ${t.reoptimiseCooldownDays} day(s)`,
    };
  }
  const strategy = strategyOf(playbook.strategy);
  const { space, base } = strategy ? spaceAround(strategy, playbook.params) : { space: {}, base: {} };
  if (Object.keys(space).length === 0) {
    return { started: false, reason: 'NO_TUNABLE_PARAMETERS', detail: `${playbook.strategy} has no numeric parameter` };
  }
  const bars = await a.ports.candles.latest(playbook.symbol, playbook.interval, a.now, playbook.bars);
  if (bars.length < 2) return { started: false, reason: 'NOT_ENOUGH_CANDLES', detail: `${bars.length} stored bar(s)` };
  const points = Object.values(space).reduce((n, axis) => n * axis.values.length, 1);
  const body = {
    strategy: playbook.strategy,
    space,
    baseParams: base,
    method: 'grid',
    maxCandidates: points,
    objective: 'sharpe',
    symbol: playbook.symbol,
    interval: playbook.interval,
    from: iso(bars.time[0]),
    to: iso(a.now),
  };
  try {
    const started = await start(body);
    return { started: true, optimisationId: started.optimisationId, space, baseParams: base };
  } catch (e) {
    if (e instanceof AppError && e.status < 500) {
      return { started: false, reason: e.code, detail: e.message };
    }
    throw e;
  }
}

// --- one run --------------------------------------------------------------------------------

export interface FeedbackRun {
  playbook: Playbook;
  trigger: FeedbackDecision['trigger'];
  start: StartOptimisation;
  /** what the run stages besides its records (a scheduled run's claim and next slot) */
  stage?(uow: UnitOfWork): void;
}

const ZERO_BUDGET = '0';

/**
 * One run of the feedback loop for a playbook: its realised round trips against what its
 * backtest expected, judged by the tenant's thresholds, acted on — monitor, re-optimise (research
 * starts an optimisation around its parameters) or disable (its strategy's budget set to zero in
 * the trading settings, in the same unit of work as the decision, the snapshot and the audit).
 */
export async function runFeedback(a: Acting, run: FeedbackRun): Promise<FeedbackDecision> {
  const { playbook } = run;
  const asOf = iso(a.now);
  const [trips, expected, settings] = await Promise.all([
    roundTrips(a, playbook),
    expectationOf(a, playbook),
    a.ports.automation.getFeedbackSettings(),
  ]);
  const thresholds = thresholdsOf(settings);
  const live = performanceOf(trips, asOf);
  const verdict = judge(live, expected, thresholds);
  const decisionId = newFeedbackId(a.now);
  const snapshot: PerformanceSnapshot = {
    snapshotId: newSnapshotId(a.now),
    playbookId: playbook.playbookId,
    strategy: playbook.strategy,
    symbol: playbook.symbol,
    accountId: playbook.accountId,
    ...live,
    decisionId,
  };
  let result: Record<string, unknown> = {};
  if (verdict.action === 'reoptimise') result = await reoptimise(a, playbook, thresholds, run.start);
  const decisionOf = (r: Record<string, unknown>): FeedbackDecision => ({
    decisionId,
    playbookId: playbook.playbookId,
    strategy: playbook.strategy,
    symbol: playbook.symbol,
    accountId: playbook.accountId,
    trigger: run.trigger,
    action: verdict.action,
    code: verdict.code,
    reasoning: verdict.reasoning,
    inputs: { live, expected, thresholds, deviation: verdict.deviation },
    result: r,
    snapshotId: snapshot.snapshotId,
    at: asOf,
    by: a.actor,
  });
  for (let attempt = 1; ; attempt++) {
    const uow = a.unitOfWork();
    let budget: BudgetChange | undefined;
    if (verdict.action === 'disable') {
      budget = await stageStrategyBudget({ store: a.ports.trading, now: a.now, actor: a.actor }, uow, {
        strategy: playbook.strategy,
        budget: ZERO_BUDGET,
        reason: `feedback loop, playbook ${playbook.playbookId}: ${verdict.reasoning}`,
      });
      result = { budget };
    }
    const decision = decisionOf(result);
    a.ports.automation.putFeedback(uow, decision, snapshot);
    run.stage?.(uow);
    uow.audit({
      action: 'feedback.decision',
      resource: `playbook/${playbook.playbookId}/feedback/${decisionId}`,
      after: { action: decision.action, code: decision.code, reasoning: decision.reasoning, result },
      source: a.actor === 'scheduler' ? 'agent' : 'api',
    });
    try {
      await uow.commit();
      return decision;
    } catch (e) {
      // the trading settings moved under the budget change: re-read them and stage it again
      if (budget?.changed && e instanceof AppError && e.status === 412 && attempt < 3) continue;
      throw e;
    }
  }
}
