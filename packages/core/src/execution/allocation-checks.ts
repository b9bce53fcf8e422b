// The check set of `allocation` orders (SPEC §3: rebalancing, DCA, stop-loss rules, an
// investor's plain order — no stop, no target): halt state, daily loss, cash and quantity,
// exclusions, the category's max single position, a max order notional. The strategy set's
// lot, 10%-of-equity, reward/risk and risk-per-trade limits are not here: a 40% ETF target is a
// plan, not a trade idea.
import { Dec, decimalString, money, type D, type DecimalInput } from '../money.js';
import { assertWithinHardLimits, type RiskLimits } from '../risk/limits.js';
import { rollRiskDay, type AccountRiskState } from '../risk/state.js';
import { toEpochMs, type Instant } from '../risk/time.js';
import { TRADING_STATES, type TradingState } from '../risk/trading-state.js';
import { dailyLossCheck, tradingStateCheck, type RiskCheck, type RiskDecision } from '../risk/validator.js';

export type { TradingState } from '../risk/trading-state.js';

export interface AllocationOrder {
  side: 'buy' | 'sell';
  symbol: string;
  quantity: DecimalInput;
  /** the price the order is expected to fill at */
  price: DecimalInput;
  cashAvailable: DecimalInput;
  positionQuantity: DecimalInput;
  /** portfolio value, cash included, before the trade */
  portfolioValue: DecimalInput;
  /** set when the symbol is excluded (a tenant's or a category's exclusion list) */
  exclusion?: { reason: string };
  /** the category's max single position %, when the symbol is in a category that sets one */
  category?: { name: string; maxSinglePositionPct: number };
  /** the tenant's max order notional, when set */
  maxOrderNotional?: DecimalInput;
}

const HUNDRED = new Dec(100);

function positive(name: string, v: DecimalInput): D {
  const d = money(v);
  if (!d.gt(0)) throw new RangeError(`${name} must be positive`);
  return d;
}

function text(d: D): string {
  return decimalString(d);
}

/** A money figure as a report number; the decision itself compares decimals. */
function num(d: D): number {
  return d.toNumber();
}

/**
 * An order that only shrinks an existing position: a sell of at most the holding. This is what
 * REDUCING lets through.
 */
export function reducesPosition(side: 'buy' | 'sell', quantity: DecimalInput, positionQuantity: DecimalInput): boolean {
  return side === 'sell' && money(quantity).lte(money(positionQuantity));
}

/**
 * Validate an allocation order. Every check is evaluated and reported (step 1..7); the first
 * failure decides. Comparisons are exact decimals, a limit itself allowed ("≤"), except the daily
 * loss, which rejects at the limit as in the strategy set. An active emergency shutdown counts
 * as HALTED. Nothing here trips the breaker.
 */
export function validateAllocationOrder(
  order: AllocationOrder,
  tradingState: TradingState,
  state: AccountRiskState,
  limits: Readonly<RiskLimits>,
  now: Instant,
): RiskDecision {
  assertWithinHardLimits(limits);
  const at = toEpochMs(now);
  if (order.side !== 'buy' && order.side !== 'sell') throw new RangeError(`side must be 'buy' or 'sell'`);
  if (!(TRADING_STATES as readonly string[]).includes(tradingState)) {
    throw new RangeError(`tradingState must be one of ${TRADING_STATES.join(', ')}`);
  }
  const buy = order.side === 'buy';
  const quantity = positive('quantity', order.quantity);
  const price = positive('price', order.price);
  const cash = money(order.cashAvailable);
  const position = money(order.positionQuantity);
  const portfolioValue = money(order.portfolioValue);
  const notional = quantity.times(price);
  const rolled = rollRiskDay(state, at);
  const checks: RiskCheck[] = [];

  // 1. trading state; the circuit breaker halts everything whatever the state says
  const shutdown = rolled.emergencyShutdown.active;
  const gate = tradingStateCheck(
    shutdown ? 'HALTED' : tradingState,
    reducesPosition(order.side, quantity, position),
    1,
  );
  checks.push(
    shutdown
      ? {
          ...gate,
          detail: `emergency shutdown active (${rolled.emergencyShutdown.reason ?? 'no reason recorded'}): HALTED`,
        }
      : gate,
  );

  // 2. today's realised loss, the strategy set's rule
  checks.push(dailyLossCheck(rolled, limits, 2));

  // 3. cash for a buy; 4. quantity held for a sell (no short selling through an allocation)
  checks.push(cashCheck(order.side, notional, cash, 3));
  checks.push(quantityCheck(order.side, quantity, position, 4));

  // 5. exclusions
  const excluded = order.exclusion !== undefined;
  checks.push({
    id: 'exclusion',
    step: 5,
    name: 'Symbol not excluded',
    value: excluded,
    limit: false,
    passed: !excluded,
    detail: excluded ? `${order.symbol} is excluded: ${order.exclusion?.reason}` : `${order.symbol} is not excluded`,
  });

  // 6. the category's max single position, after a buy, against the portfolio before it
  const positionAfter = buy ? position.plus(quantity) : Dec.max(0, position.minus(quantity));
  checks.push(categoryCheck(order, buy, positionAfter.times(price), portfolioValue));

  // 7. the tenant's max order notional
  if (order.maxOrderNotional === undefined) {
    checks.push({
      id: 'maxOrderNotional',
      step: 7,
      name: 'Order notional within the maximum',
      value: num(notional),
      limit: false,
      passed: true,
      applicable: false,
      detail: 'not applicable: no max order notional is set',
    });
  } else {
    const max = money(order.maxOrderNotional);
    const ok = notional.lte(max);
    checks.push({
      id: 'maxOrderNotional',
      step: 7,
      name: 'Order notional within the maximum',
      value: num(notional),
      limit: num(max),
      passed: ok,
      detail: `notional ${text(notional)} ${ok ? '≤' : '>'} max order notional ${text(max)}`,
    });
  }

  const first = checks.find((c) => !c.passed);
  return {
    approved: first === undefined,
    checks,
    ...(first ? { firstFailure: first.id } : {}),
    effects: { triggerShutdown: false },
    at,
  };
}

/** `positionValue`: the position after the order, valued at the order's price. */
/** A buy's notional against the cash free to pay it (a sell: not applicable). Shared by both check sets. */
export function cashCheck(side: 'buy' | 'sell', notional: D, cash: D, step: number): RiskCheck {
  const buy = side === 'buy';
  const passed = !buy || notional.lte(cash);
  return {
    id: 'cash',
    step,
    name: 'Cash covers the order',
    value: num(notional),
    limit: num(cash),
    passed,
    ...(buy ? {} : { applicable: false }),
    detail: buy
      ? `notional ${text(notional)} ${passed ? '≤' : '>'} cash available ${text(cash)}`
      : 'not applicable: a sell needs no cash',
  };
}

/** A sell's quantity against the quantity held (no shorts; a buy: not applicable). Shared by both check sets. */
export function quantityCheck(side: 'buy' | 'sell', quantity: D, held: D, step: number): RiskCheck {
  const buy = side === 'buy';
  const passed = buy || quantity.lte(held);
  return {
    id: 'quantity',
    step,
    name: 'Quantity held covers the sell',
    value: num(quantity),
    limit: num(held),
    passed,
    ...(buy ? { applicable: false } : {}),
    detail: buy
      ? 'not applicable: a buy sells nothing'
      : `sell ${text(quantity)} ${passed ? '≤' : '>'} held ${text(held)}`,
  };
}

function categoryCheck(order: AllocationOrder, buy: boolean, positionValue: D, portfolioValue: D): RiskCheck {
  const base = { id: 'categoryMaxPosition', step: 6, name: 'Position within the category maximum' } as const;
  const category = order.category;
  if (category === undefined) {
    return {
      ...base,
      value: 0,
      limit: false,
      passed: true,
      applicable: false,
      detail: `not applicable: ${order.symbol} is in no category with a max single position`,
    };
  }
  const maxPct = category.maxSinglePositionPct;
  if (typeof maxPct !== 'number' || !Number.isFinite(maxPct) || maxPct < 0) {
    throw new RangeError('maxSinglePositionPct must be a finite non-negative number');
  }
  const pct = portfolioValue.gt(0)
    ? positionValue.times(HUNDRED).div(portfolioValue).toNumber()
    : positionValue.gt(0)
      ? Infinity
      : 0;
  if (!buy) {
    return {
      ...base,
      value: pct,
      limit: maxPct,
      passed: true,
      detail: `a sell does not grow the position (category ${category.name}, max ${maxPct}%)`,
    };
  }
  const ok = portfolioValue.gt(0) && positionValue.times(HUNDRED).lte(new Dec(maxPct).times(portfolioValue));
  return {
    ...base,
    value: pct,
    limit: maxPct,
    passed: ok,
    detail: portfolioValue.gt(0)
      ? `position after the buy ${text(positionValue)} is ${fmt(pct)}% of portfolio ${text(portfolioValue)} ` +
        `${ok ? '≤' : '>'} ${maxPct}% (category ${category.name})`
      : `portfolio value ${text(portfolioValue)} is not positive`,
  };
}

/** A report number as text: at most 6 decimals, no float noise. */
function fmt(n: number): string {
  return String(Number.isFinite(n) ? Math.round(n * 1e6) / 1e6 : n);
}
