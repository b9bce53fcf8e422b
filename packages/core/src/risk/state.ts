// Account risk state and its transitions. Every transition is a pure function: state in, new
// state out, time as an argument. Money fields are decimal strings so a state can be stored and
// sent as-is; inputs may also be Decimals.
import { Dec, decimalString, money, type D, type DecimalInput } from '../money.js';
import { HARD_LIMITS, type RiskLimits } from './limits.js';
import { DAY_MS, HOUR_MS, toEpochMs, utcDayStart, type Instant } from './time.js';

export interface StrategyRiskState {
  readonly consecutiveLosses: number;
  readonly disabled: boolean;
  readonly disabledReason?: string;
  readonly disabledAt?: number;
  readonly wins: number;
  readonly losses: number;
  readonly realisedPnl: DecimalInput;
}

export interface EmergencyShutdownState {
  readonly active: boolean;
  readonly reason?: string;
  /** epoch ms when it tripped */
  readonly triggeredAt?: number;
  readonly resetBy?: string;
  readonly resetReason?: string;
  readonly resetAt?: number;
}

export interface AccountRiskState {
  /** realised cash balance */
  readonly balance: DecimalInput;
  /** balance plus unrealised P&L */
  readonly equity: DecimalInput;
  /** highest equity seen; drawdown is measured from it */
  readonly peakEquity: DecimalInput;
  /** drawdown from peak in percent, written by every transition (the validator recomputes it) */
  readonly drawdownPct?: DecimalInput;
  /** epoch ms of the start of the trading day dailyPnl and dayStartEquity belong to (UTC or the tenant's midnight) */
  readonly dayStart: number;
  /** equity at the start of that day: the base of the daily-loss percentage */
  readonly dayStartEquity: DecimalInput;
  /** realised P&L of that day */
  readonly dailyPnl: DecimalInput;
  readonly openPositions: number;
  /** notional of open positions */
  readonly exposure: DecimalInput;
  /** epoch ms of trades opened; pruned to what the per-day and per-hour counts still need */
  readonly tradeTimes: readonly number[];
  readonly strategies: Readonly<Record<string, StrategyRiskState>>;
  readonly emergencyShutdown: EmergencyShutdownState;
}

/** A fresh account: equity = peak = balance, nothing open, breaker off. */
export function createAccountRiskState(opts: { balance: DecimalInput; now: Instant }): AccountRiskState {
  const balance = decimalString(money(opts.balance));
  return {
    balance,
    equity: balance,
    peakEquity: balance,
    drawdownPct: '0',
    dayStart: utcDayStart(toEpochMs(opts.now)),
    dayStartEquity: balance,
    dailyPnl: '0',
    openPositions: 0,
    exposure: '0',
    tradeTimes: [],
    strategies: {},
    emergencyShutdown: { active: false },
  };
}

const HUNDRED = new Dec(100);

/**
 * Drawdown from peak in percent (0 at or above the peak). A non-positive peak counts as 100% when
 * equity is below it.
 */
export function accountDrawdownPct(equity: DecimalInput, peakEquity: DecimalInput): D {
  const eq = money(equity);
  const peak = money(peakEquity);
  if (eq.gte(peak)) return new Dec(0);
  if (peak.lte(0)) return new Dec(100);
  return peak.minus(eq).div(peak).times(HUNDRED);
}

/** Keep the trade times a decision at `now` can still count: this trading day, the last hour, and any later. */
function pruneTradeTimes(times: readonly number[], now: number, dayStart: number): number[] {
  return times.filter((t) => t >= dayStart || t > now - HOUR_MS);
}

/**
 * Start a new trading day once a whole day has passed since the state's day began: daily P&L to
 * zero, the day's base equity to the current equity. Days are anchored on the state's `dayStart`
 * (UTC midnight for a new state; a tenant's local midnight once its daily reset has run, see
 * startRiskDay), so the roll here and the reset job agree on when a day ends. A `now` before the
 * state's day (a clock step back) leaves the state alone rather than reopening a closed day.
 */
export function rollRiskDay(state: AccountRiskState, now: Instant): AccountRiskState {
  const ms = toEpochMs(now);
  if (ms < state.dayStart + DAY_MS) return state;
  const day = state.dayStart + Math.floor((ms - state.dayStart) / DAY_MS) * DAY_MS;
  return {
    ...state,
    dayStart: day,
    dayStartEquity: decimalString(money(state.equity)),
    dailyPnl: '0',
    tradeTimes: pruneTradeTimes(state.tradeTimes, ms, day),
  };
}

/**
 * Start the trading day at `dayStart` (epoch ms of the tenant's local midnight): the daily reset.
 * A `dayStart` at or before the state's own leaves it alone (a redelivered reset is a no-op).
 */
export function startRiskDay(state: AccountRiskState, dayStart: Instant): AccountRiskState {
  const day = toEpochMs(dayStart);
  if (day <= state.dayStart) return state;
  return {
    ...state,
    dayStart: day,
    dayStartEquity: decimalString(money(state.equity)),
    dailyPnl: '0',
    tradeTimes: pruneTradeTimes(state.tradeTimes, day, day),
  };
}

/** Trip the circuit breaker. Already active: the first reason and time are kept. */
export function triggerEmergencyShutdown(
  state: AccountRiskState,
  opts: { reason: string; now: Instant },
): AccountRiskState {
  if (state.emergencyShutdown.active) return state;
  return {
    ...state,
    emergencyShutdown: { active: true, reason: opts.reason, triggeredAt: toEpochMs(opts.now) },
  };
}

/**
 * Trip the circuit breaker when drawdown from peak is ≥ the limit (at the limit counts).
 * `now` stamps the trip; without it the trip time is left unset.
 */
export function evaluateDrawdown(
  state: AccountRiskState,
  limits: Readonly<RiskLimits> = HARD_LIMITS,
  now?: Instant,
): AccountRiskState {
  if (state.emergencyShutdown.active) return state;
  const dd = accountDrawdownPct(state.equity, state.peakEquity);
  if (dd.lt(limits.maxDrawdownPct)) return state;
  const reason = `drawdown ${dd.toDecimalPlaces(4).toFixed()}% ≥ ${limits.maxDrawdownPct}%`;
  if (now === undefined) return { ...state, emergencyShutdown: { active: true, reason } };
  return triggerEmergencyShutdown(state, { reason, now });
}

function requireText(name: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new RangeError(`${name} is required`);
  return v;
}

/**
 * Reset the circuit breaker: an admin action that needs who and why. With `rebasePeak` the
 * peak is set to the current equity, so trading can resume below the old peak; without it a
 * drawdown still ≥ the limit trips the breaker again on the next validated trade, on purpose.
 */
export function resetEmergencyShutdown(
  state: AccountRiskState,
  opts: { by: string; reason: string; now: Instant; rebasePeak?: boolean },
): AccountRiskState {
  const by = requireText('by', opts.by);
  const reason = requireText('reason', opts.reason);
  const at = toEpochMs(opts.now);
  const peakEquity = opts.rebasePeak ? decimalString(money(state.equity)) : state.peakEquity;
  return {
    ...state,
    peakEquity,
    drawdownPct: decimalString(accountDrawdownPct(state.equity, peakEquity)),
    emergencyShutdown: { active: false, resetBy: by, resetReason: reason, resetAt: at },
  };
}

/** Mark equity to market (unrealised P&L moved); updates peak and drawdown, may trip the breaker. */
export function markAccountEquity(
  state: AccountRiskState,
  equity: DecimalInput,
  now: Instant,
  limits: Readonly<RiskLimits> = HARD_LIMITS,
): AccountRiskState {
  const rolled = rollRiskDay(state, now);
  const eq = money(equity);
  const peak = Dec.max(money(rolled.peakEquity), eq);
  const next: AccountRiskState = {
    ...rolled,
    equity: decimalString(eq),
    peakEquity: decimalString(peak),
    drawdownPct: decimalString(accountDrawdownPct(eq, peak)),
  };
  return evaluateDrawdown(next, limits, now);
}

/** Record a trade opened at `now`: it counts toward the per-day and per-hour limits. */
export function recordTradeOpened(
  state: AccountRiskState,
  trade: { notional?: DecimalInput },
  now: Instant,
): AccountRiskState {
  const ms = toEpochMs(now);
  const rolled = rollRiskDay(state, ms);
  const exposure =
    trade.notional === undefined ? money(rolled.exposure) : money(rolled.exposure).plus(money(trade.notional));
  return {
    ...rolled,
    openPositions: rolled.openPositions + 1,
    exposure: decimalString(exposure),
    tradeTimes: [...pruneTradeTimes(rolled.tradeTimes, ms, rolled.dayStart), ms],
  };
}

/** The outcome of a closed trade. */
export interface RiskTradeResult {
  readonly strategyId: string;
  /** realised profit (positive) or loss (negative), after costs */
  readonly pnl: DecimalInput;
  /** notional released from exposure */
  readonly notional?: DecimalInput;
  /** false for a partial close that leaves the position open; default true */
  readonly closesPosition?: boolean;
  /**
   * Equity after the close, when the caller marks equity to market (its unrealised P&L already
   * held part of this trade's result). Default: equity moves by `pnl`, like the balance.
   */
  readonly equityAfter?: DecimalInput;
}

const EMPTY_STRATEGY: StrategyRiskState = {
  consecutiveLosses: 0,
  disabled: false,
  wins: 0,
  losses: 0,
  realisedPnl: '0',
};

/**
 * Apply a closed trade: balance, equity, peak, drawdown and daily P&L move by its P&L; the
 * strategy's loss streak grows on a loss, resets on a win, and is untouched by a break-even
 * trade. At `limits.maxConsecutiveLosses` the strategy is disabled; at the drawdown limit the
 * circuit breaker trips.
 */
export function applyTradeResult(
  state: AccountRiskState,
  result: RiskTradeResult,
  now: Instant,
  limits: Readonly<RiskLimits> = HARD_LIMITS,
): AccountRiskState {
  const ms = toEpochMs(now);
  const rolled = rollRiskDay(state, ms);
  const pnl = money(result.pnl);
  const equity = result.equityAfter === undefined ? money(rolled.equity).plus(pnl) : money(result.equityAfter);
  const peak = Dec.max(money(rolled.peakEquity), equity);
  const exposure =
    result.notional === undefined
      ? money(rolled.exposure)
      : Dec.max(0, money(rolled.exposure).minus(money(result.notional)));

  const prev = Object.hasOwn(rolled.strategies, result.strategyId)
    ? rolled.strategies[result.strategyId]
    : EMPTY_STRATEGY;
  const loss = pnl.isNegative() && !pnl.isZero();
  const win = pnl.isPositive() && !pnl.isZero();
  const consecutiveLosses = loss ? prev.consecutiveLosses + 1 : win ? 0 : prev.consecutiveLosses;
  const disable = !prev.disabled && consecutiveLosses >= limits.maxConsecutiveLosses;
  const strategy: StrategyRiskState = {
    ...prev,
    consecutiveLosses,
    wins: prev.wins + (win ? 1 : 0),
    losses: prev.losses + (loss ? 1 : 0),
    realisedPnl: decimalString(money(prev.realisedPnl).plus(pnl)),
    ...(disable ? { disabled: true, disabledReason: `${consecutiveLosses} consecutive losses`, disabledAt: ms } : {}),
  };

  const next: AccountRiskState = {
    ...rolled,
    balance: decimalString(money(rolled.balance).plus(pnl)),
    equity: decimalString(equity),
    peakEquity: decimalString(peak),
    drawdownPct: decimalString(accountDrawdownPct(equity, peak)),
    dailyPnl: decimalString(money(rolled.dailyPnl).plus(pnl)),
    openPositions: result.closesPosition === false ? rolled.openPositions : Math.max(0, rolled.openPositions - 1),
    exposure: decimalString(exposure),
    strategies: { ...rolled.strategies, [result.strategyId]: strategy },
  };
  return evaluateDrawdown(next, limits, ms);
}

/** Re-enable a disabled strategy (an admin action: who and why are required); its loss streak restarts. */
export function enableStrategy(
  state: AccountRiskState,
  strategyId: string,
  opts: { by: string; reason: string; now: Instant },
): AccountRiskState {
  requireText('by', opts.by);
  requireText('reason', opts.reason);
  toEpochMs(opts.now);
  const prev = Object.hasOwn(state.strategies, strategyId) ? state.strategies[strategyId] : EMPTY_STRATEGY;
  const { disabledReason: _r, disabledAt: _a, ...rest } = prev;
  return {
    ...state,
    strategies: { ...state.strategies, [strategyId]: { ...rest, disabled: false, consecutiveLosses: 0 } },
  };
}
