import { seedState } from '@ballast/core/execution/index.js';
import { holdingFigures } from '@ballast/core/ledger/figures.js';
import type { BookState } from '@ballast/core/ledger/types.js';
import { type D, decimalString, money } from '@ballast/core/money.js';
import { HOUR_MS, utcDayStart } from '@ballast/core/risk/time.js';
import {
  type AccountRiskState,
  accountDrawdownPct,
  createAccountRiskState,
  markAccountEquity,
  rollRiskDay,
} from '@ballast/core/risk/state.js';
import type { RiskLimits } from '@ballast/core/risk/limits.js';
import type { Account, RiskRecord, Settings, TradingState } from './store.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A new account's risk record: equity = peak = its opening value, nothing open, breaker off. */
export function initialRisk(account: Account, balance: string, nowMs: number): RiskRecord {
  return {
    accountId: account.accountId,
    state: createAccountRiskState({ balance, now: nowMs }),
    reduceOnly: false,
    reservations: {},
    strategyExposure: {},
    rngState: seedState(account.simulation?.seed ?? 1),
    lastPrices: {},
    brackets: {},
    version: 0,
    updatedAt: iso(nowMs),
  };
}

export function tradingStateOf(record: RiskRecord): TradingState {
  if (record.state.emergencyShutdown.active) return 'HALTED';
  return record.reduceOnly ? 'REDUCING' : 'ACTIVE';
}

/**
 * The state the gate decides on: the stored one with every accepted, still-working order counted
 * as if it had filled — its trade in the day and hour, its position, its exposure. Two orders that
 * together would breach a limit cannot both pass: the second sees the first's reservation, and
 * their writes race on the record's version.
 */
export function gateState(record: RiskRecord, nowMs: number): AccountRiskState {
  const state = rollRiskDay(record.state, nowMs);
  const reserved = Object.values(record.reservations);
  if (reserved.length === 0) return state;
  let exposure = money(state.exposure);
  let opened = 0;
  const times = [...state.tradeTimes];
  for (const r of reserved) {
    exposure = exposure.plus(money(r.notional));
    if (r.opens) opened++;
    if (r.intent === 'strategy') times.push(Math.min(r.at, nowMs));
  }
  return {
    ...state,
    openPositions: state.openPositions + opened,
    exposure: decimalString(exposure),
    tradeTimes: times,
  };
}

/** Cash not yet spoken for by working buys. */
export function freeCash(book: BookState, record: RiskRecord): D {
  let cash = money(book.cash);
  for (const r of Object.values(record.reservations)) if (r.side === 'buy') cash = cash.minus(money(r.notional));
  return cash;
}

/** Quantity of `symbol` not yet spoken for by working sells. */
export function freeQuantity(record: RiskRecord, symbol: string, held: string): D {
  let quantity = money(held);
  for (const r of Object.values(record.reservations)) {
    if (r.side === 'sell' && r.symbol === symbol) quantity = quantity.minus(money(r.quantity));
  }
  return quantity;
}

/**
 * The book's value at the prices known: the simulation's last price, else `extra` (a fill's
 * price), else the position's average cost (never a guess above or below what was paid).
 */
export function equityOf(book: BookState, prices: Readonly<Record<string, string>>): D {
  let equity = money(book.cash);
  for (const position of Object.values(book.positions)) {
    const figures = holdingFigures(position, prices[position.symbol]);
    if (money(figures.quantity).isZero()) continue;
    const price = prices[position.symbol] ?? figures.averageCost;
    equity = equity.plus(money(figures.quantity).times(money(price)));
  }
  return equity;
}

/** Marks equity at the book's value; at the drawdown limit the breaker trips (HALTED). */
export function markEquity(
  record: RiskRecord,
  book: BookState,
  nowMs: number,
  limits: Readonly<RiskLimits>,
): RiskRecord {
  const equity = equityOf(book, record.lastPrices);
  return { ...record, state: markAccountEquity(record.state, equity, nowMs, limits) };
}

function countSince(times: readonly number[], from: number, to: number, inclusive: boolean): number {
  return times.filter((t) => (inclusive ? t >= from : t > from) && t <= to).length;
}

/** The risk record as the API shows it. */
export function riskView(record: RiskRecord, settings: Settings, nowMs: number) {
  const state = rollRiskDay(record.state, nowMs);
  const s = state.emergencyShutdown;
  const names = new Set([...Object.keys(state.strategies), ...settings.enabledStrategies]);
  return {
    accountId: record.accountId,
    tradingState: tradingStateOf(record),
    balance: decimalString(money(state.balance)),
    equity: decimalString(money(state.equity)),
    peakEquity: decimalString(money(state.peakEquity)),
    drawdownPct: decimalString(accountDrawdownPct(state.equity, state.peakEquity).toDecimalPlaces(6)),
    dailyPnl: decimalString(money(state.dailyPnl)),
    dayStart: iso(state.dayStart),
    openPositions: state.openPositions,
    exposure: decimalString(money(state.exposure)),
    tradesToday: countSince(state.tradeTimes, utcDayStart(nowMs), nowMs, true),
    tradesThisHour: countSince(state.tradeTimes, nowMs - HOUR_MS, nowMs, false),
    pendingOrders: Object.keys(record.reservations).length,
    emergencyShutdown: {
      active: s.active,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      ...(s.triggeredAt !== undefined ? { triggeredAt: iso(s.triggeredAt) } : {}),
      ...(s.resetBy !== undefined ? { resetBy: s.resetBy } : {}),
      ...(s.resetReason !== undefined ? { resetReason: s.resetReason } : {}),
      ...(s.resetAt !== undefined ? { resetAt: iso(s.resetAt) } : {}),
    },
    strategies: [...names].sort().map((strategy) => strategyView(record, settings, strategy)),
    version: record.version,
    updatedAt: record.updatedAt,
  };
}

export function strategyView(record: RiskRecord, settings: Settings, strategy: string) {
  const st = Object.hasOwn(record.state.strategies, strategy) ? record.state.strategies[strategy] : undefined;
  const enabledInSettings = settings.enabledStrategies.includes(strategy);
  const budget = Object.hasOwn(settings.strategyBudgets, strategy) ? settings.strategyBudgets[strategy] : undefined;
  return {
    strategy,
    enabled: enabledInSettings && !(st?.disabled ?? false),
    enabledInSettings,
    ...(st?.disabledReason !== undefined ? { disabledReason: st.disabledReason } : {}),
    consecutiveLosses: st?.consecutiveLosses ?? 0,
    wins: st?.wins ?? 0,
    losses: st?.losses ?? 0,
    realisedPnl: decimalString(money(st?.realisedPnl ?? '0')),
    budget: budget ?? null,
    used: record.strategyExposure[strategy] ?? '0',
  };
}
