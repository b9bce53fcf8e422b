// The pre-trade risk validator of SPEC §3. Every check is evaluated and reported with its value,
// limit and outcome; the first failure (in SPEC order) is the decisive one.
import { Dec, money, type D, type DecimalInput } from '../money.js';
import { assertWithinHardLimits, type RiskLimits } from './limits.js';
import { accountDrawdownPct, rollRiskDay, type AccountRiskState } from './state.js';
import { HOUR_MS, toEpochMs, type Instant } from './time.js';
import { tradingStateCheck, type TradingState } from './trading-state.js';

export { TRADING_STATES, tradingStateCheck, type TradingState } from './trading-state.js';

export type RiskTradeSide = 'long' | 'short';

export interface TradeRequest {
  readonly strategyId: string;
  readonly symbol?: string;
  readonly side: RiskTradeSide;
  /** units of the instrument (shares, coins, currency units) */
  readonly quantity: DecimalInput;
  readonly entry: DecimalInput;
  readonly stop: DecimalInput;
  readonly target: DecimalInput;
  /**
   * units per lot (100000 for a standard FX lot). Absent: the instrument has no lot size (a
   * share, a coin) and the lot check passes as not applicable (SPEC: lots apply only where an
   * instrument has a lot size).
   */
  readonly lotSize?: DecimalInput;
}

export type RiskCheckId =
  | 'tradingState'
  | 'emergencyShutdown'
  | 'drawdown'
  | 'openPositions'
  | 'tradesToday'
  | 'tradesThisHour'
  | 'positionLots'
  | 'positionPctOfEquity'
  | 'riskReward'
  | 'strategyEnabled'
  | 'dailyLoss'
  | 'riskPerTrade'
  // the strategy set's budget (the trading desk's settings)
  | 'strategyBudget'
  // the allocation set (execution/allocation-checks.ts); dailyLoss is shared
  | 'cash'
  | 'quantity'
  | 'exclusion'
  | 'categoryMaxPosition'
  | 'maxOrderNotional';

export interface RiskCheck {
  readonly id: RiskCheckId;
  /**
   * the check's number in SPEC §3 (6 has two parts; risk per trade is 10; the optional trading
   * state gate is 0); in the allocation set, its place 1..7
   */
  readonly step: number;
  readonly name: string;
  /** the measured value: a percentage, a count, a ratio, or a flag */
  readonly value: number | boolean;
  readonly limit: number | boolean;
  readonly passed: boolean;
  readonly detail: string;
  /**
   * false: the check does not apply to this instrument/order and passed vacuously (its value
   * and limit are then only informational). Absent: the check applies.
   */
  readonly applicable?: boolean;
}

export interface RiskEffects {
  /** the caller must trip the circuit breaker (drawdown at or past the limit) */
  readonly triggerShutdown: boolean;
  readonly shutdownReason?: string;
}

export interface RiskDecision {
  readonly approved: boolean;
  readonly checks: readonly RiskCheck[];
  readonly firstFailure?: RiskCheckId;
  readonly effects: RiskEffects;
  /** epoch ms the decision was made for */
  readonly at: number;
}

const HUNDRED = new Dec(100);

function dec(n: number): D {
  return new Dec(n);
}

function positive(name: string, v: DecimalInput): D {
  const d = money(v);
  if (!d.isPositive() || d.isZero()) throw new RangeError(`${name} must be positive`);
  return d;
}

/**
 * part / whole × 100 as a number, for the report only: decisions are made on exact decimals.
 * Float division is correctly rounded, so a boundary value (15, 10, 2) reports exactly.
 */
function pctNumber(part: D, whole: D): number {
  if (whole.lte(0)) return part.lte(0) ? 0 : Number.POSITIVE_INFINITY;
  return part.times(HUNDRED).toNumber() / whole.toNumber();
}

function ratioNumber(a: D, b: D): number {
  return a.toNumber() / b.toNumber();
}

/** A report number as text: at most 6 decimals, no float noise. */
function fmt(n: number): string {
  return String(Number.isFinite(n) ? Math.round(n * 1e6) / 1e6 : n);
}

/** Count of times in [from, to]: trades after `now` have not happened yet for this decision. */
function countBetween(times: readonly number[], from: number, fromInclusive: boolean, to: number): number {
  let n = 0;
  for (const t of times) if ((fromInclusive ? t >= from : t > from) && t <= to) n++;
  return n;
}

/**
 * Check 9: today's realised loss against the day's starting equity; "≥ limit" rejects. `state`
 * must already be rolled to the decision's day (rollRiskDay). Shared with the allocation set.
 */
export function dailyLossCheck(state: AccountRiskState, limits: Readonly<RiskLimits>, step = 9): RiskCheck {
  const loss = Dec.max(0, money(state.dailyPnl).negated());
  const base = money(state.dayStartEquity);
  const fails = base.gt(0) ? loss.times(HUNDRED).gte(dec(limits.maxDailyLossPct).times(base)) : loss.gt(0);
  const lossPct = pctNumber(loss, base);
  return {
    id: 'dailyLoss',
    step,
    name: 'Daily loss below limit',
    value: lossPct,
    limit: limits.maxDailyLossPct,
    passed: !fails,
    detail: `loss today ${loss.toFixed()} is ${fmt(lossPct)}% of day-start equity ${base.toFixed()}`,
  };
}

export interface ValidateTradeOptions {
  /** when given, the trading-state gate runs first (step 0) */
  readonly tradingState?: TradingState;
  /** the order only shrinks an existing position (REDUCING lets it through); default false */
  readonly reducesPosition?: boolean;
}

/**
 * Validate a trade request against the account's risk state and limits at `now`.
 * Comparisons are exact: percentages are compared by cross-multiplying decimals, so "≥ 15%"
 * rejects at exactly 15% and "> 10%" accepts exactly 10%. Limits looser than HARD_LIMITS throw.
 */
export function validateTrade(
  request: TradeRequest,
  accountState: AccountRiskState,
  limits: Readonly<RiskLimits>,
  now: Instant,
  options: ValidateTradeOptions = {},
): RiskDecision {
  assertWithinHardLimits(limits);
  const at = toEpochMs(now);
  if (request.side !== 'long' && request.side !== 'short') throw new RangeError(`side must be 'long' or 'short'`);
  const quantity = positive('quantity', request.quantity);
  const entry = positive('entry', request.entry);
  const stop = money(request.stop);
  const target = money(request.target);
  const lotSize = request.lotSize === undefined ? undefined : positive('lotSize', request.lotSize);
  const state = rollRiskDay(accountState, at);
  const equity = money(state.equity);
  const peak = money(state.peakEquity);

  const checks: RiskCheck[] = [];
  const add = (c: RiskCheck) => checks.push(c);

  // 0. the trading-state gate, only when the caller runs one
  if (options.tradingState !== undefined) {
    add(tradingStateCheck(options.tradingState, options.reducesPosition ?? false, 0));
  }

  // 1. circuit breaker
  const shutdown = state.emergencyShutdown.active;
  add({
    id: 'emergencyShutdown',
    step: 1,
    name: 'Emergency shutdown inactive',
    value: shutdown,
    limit: false,
    passed: !shutdown,
    detail: shutdown
      ? `emergency shutdown active: ${state.emergencyShutdown.reason ?? 'no reason recorded'}`
      : 'inactive',
  });

  // 2. drawdown ≥ limit rejects and trips the breaker
  const ddValue = peak.gt(0)
    ? Math.max(0, pctNumber(peak.minus(equity), peak))
    : accountDrawdownPct(equity, peak).toNumber();
  const ddFails = peak.gt(0)
    ? Dec.max(0, peak.minus(equity)).times(HUNDRED).gte(dec(limits.maxDrawdownPct).times(peak))
    : equity.lt(peak);
  add({
    id: 'drawdown',
    step: 2,
    name: 'Account drawdown below limit',
    value: ddValue,
    limit: limits.maxDrawdownPct,
    passed: !ddFails,
    detail: `drawdown ${fmt(ddValue)}% ${ddFails ? '≥' : '<'} ${limits.maxDrawdownPct}%`,
  });

  // 3. open positions
  const open = state.openPositions;
  add({
    id: 'openPositions',
    step: 3,
    name: 'Open positions below limit',
    value: open,
    limit: limits.maxOpenPositions,
    passed: open < limits.maxOpenPositions,
    detail: `${open} open, limit ${limits.maxOpenPositions}`,
  });

  // 4. trades this trading day (from the state's dayStart) and 5. trades in the last 60 minutes
  const today = countBetween(state.tradeTimes, state.dayStart, true, at);
  add({
    id: 'tradesToday',
    step: 4,
    name: 'Trades today below limit',
    value: today,
    limit: limits.maxTradesPerDay,
    passed: today < limits.maxTradesPerDay,
    detail: `${today} trades this trading day, limit ${limits.maxTradesPerDay}`,
  });
  const hour = countBetween(state.tradeTimes, at - HOUR_MS, false, at);
  add({
    id: 'tradesThisHour',
    step: 5,
    name: 'Trades this hour below limit',
    value: hour,
    limit: limits.maxTradesPerHour,
    passed: hour < limits.maxTradesPerHour,
    detail: `${hour} trades in the last 60 minutes, limit ${limits.maxTradesPerHour}`,
  });

  // 6. position size: lots (where the instrument has a lot size) and share of equity;
  // "> limit" rejects, the limit itself is allowed
  if (lotSize === undefined) {
    add({
      id: 'positionLots',
      step: 6,
      name: 'Position size within lot limit',
      value: 0,
      limit: limits.maxPositionLots,
      passed: true,
      applicable: false,
      detail: 'not applicable: the instrument has no lot size',
    });
  } else {
    const lotsOk = quantity.lte(dec(limits.maxPositionLots).times(lotSize));
    const lots = ratioNumber(quantity, lotSize);
    add({
      id: 'positionLots',
      step: 6,
      name: 'Position size within lot limit',
      value: lots,
      limit: limits.maxPositionLots,
      passed: lotsOk,
      detail: `${fmt(lots)} lots ${lotsOk ? '≤' : '>'} ${limits.maxPositionLots}`,
    });
  }
  const notional = quantity.times(entry);
  const notionalOk = equity.gt(0) && notional.times(HUNDRED).lte(dec(limits.maxPositionPctOfEquity).times(equity));
  const notionalPct = pctNumber(notional, equity);
  add({
    id: 'positionPctOfEquity',
    step: 6,
    name: 'Position size within % of equity',
    value: notionalPct,
    limit: limits.maxPositionPctOfEquity,
    passed: notionalOk,
    detail: equity.gt(0)
      ? `notional ${notional.toFixed()} is ${fmt(notionalPct)}% of equity ${equity.toFixed()} ` +
        `${notionalOk ? '≤' : '>'} ${limits.maxPositionPctOfEquity}%`
      : `equity ${equity.toFixed()} is not positive`,
  });

  // 7. reward/risk, with the stop and target on the right sides of the entry
  const long = request.side === 'long';
  const riskPerUnit = long ? entry.minus(stop) : stop.minus(entry);
  const rewardPerUnit = long ? target.minus(entry) : entry.minus(target);
  const geometryOk = riskPerUnit.gt(0) && rewardPerUnit.gt(0);
  const rrOk = geometryOk && rewardPerUnit.gte(dec(limits.minRiskReward).times(riskPerUnit));
  const rr = geometryOk ? ratioNumber(rewardPerUnit, riskPerUnit) : 0;
  add({
    id: 'riskReward',
    step: 7,
    name: 'Reward/risk at least the minimum',
    value: rr,
    limit: limits.minRiskReward,
    passed: rrOk,
    detail: !riskPerUnit.gt(0)
      ? `stop must be ${long ? 'below' : 'above'} the entry for a ${request.side}`
      : !rewardPerUnit.gt(0)
        ? `target must be ${long ? 'above' : 'below'} the entry for a ${request.side}`
        : `reward/risk ${fmt(rr)} ${rrOk ? '≥' : '<'} ${limits.minRiskReward}`,
  });

  // 8. strategy enabled (auto-disabled after the consecutive-loss limit)
  const strat = Object.hasOwn(state.strategies, request.strategyId) ? state.strategies[request.strategyId] : undefined;
  const streak = strat?.consecutiveLosses ?? 0;
  const disabled = (strat?.disabled ?? false) || streak >= limits.maxConsecutiveLosses;
  add({
    id: 'strategyEnabled',
    step: 8,
    name: 'Strategy enabled',
    value: streak,
    limit: limits.maxConsecutiveLosses,
    passed: !disabled,
    detail: disabled
      ? `strategy ${request.strategyId} disabled: ${strat?.disabledReason ?? `${streak} consecutive losses`}`
      : `${streak} consecutive losses, disabled at ${limits.maxConsecutiveLosses}`,
  });

  // 9. today's realised loss against the day's starting equity
  add(dailyLossCheck(state, limits, 9));

  // 10. money at risk if the stop is hit, against equity
  const atRisk = quantity.times(riskPerUnit.abs());
  const riskOk = equity.gt(0) && atRisk.times(HUNDRED).lte(dec(limits.maxRiskPerTradePct).times(equity));
  const riskPct = pctNumber(atRisk, equity);
  const atRiskText = `at risk ${atRisk.toFixed()} (quantity × |entry − stop|)`;
  add({
    id: 'riskPerTrade',
    step: 10,
    name: 'Risk per trade within % of equity',
    value: riskPct,
    limit: limits.maxRiskPerTradePct,
    passed: riskOk,
    detail: `${atRiskText} is ${fmt(riskPct)}% of equity ${equity.toFixed()}`,
  });

  const first = checks.find((c) => !c.passed);
  const triggerShutdown = ddFails && !shutdown;
  return {
    approved: first === undefined,
    checks,
    ...(first ? { firstFailure: first.id } : {}),
    effects: triggerShutdown
      ? { triggerShutdown, shutdownReason: `drawdown ${fmt(ddValue)}% ≥ ${limits.maxDrawdownPct}%` }
      : { triggerShutdown },
    at,
  };
}
