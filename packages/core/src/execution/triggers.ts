// When a resting simulated order fills on a price update, and when a bracket exits an open
// position. A tick carries only `price`; a bar carries open/high/low and `price` is its close.
// The inside-the-bar rules are the backtester's (backtest/engine.ts, step 2): a gap through a
// level fills at the open, and when a bar touches both bracket levels the stop comes first.
import { Dec, money, type D } from '../money.js';

export type SimSide = 'buy' | 'sell';
export type SimOrderType = 'market' | 'limit' | 'stop' | 'stop_limit';

export interface SimOrder {
  side: SimSide;
  type: SimOrderType;
  limitPrice?: string;
  stopPrice?: string;
  /** a stop_limit whose stop was already hit */
  stopTriggered?: boolean;
}

export interface PriceUpdate {
  price: string;
  open?: string;
  high?: string;
  low?: string;
}

export type Trigger =
  | { fills: false; stopTriggered: boolean }
  | {
      fills: true;
      stopTriggered: boolean;
      /** the raw fill price before slippage */
      price: D;
      /** market and stop fills slip; limit fills do not */
      slips: boolean;
    };

interface Bar {
  open: D;
  high: D;
  low: D;
}

/** open/high/low default to the price; a bar whose high or low does not contain it is refused. */
function barOf(update: PriceUpdate): Bar {
  const close = money(update.price);
  const open = update.open === undefined ? close : money(update.open);
  const high = update.high === undefined ? close : money(update.high);
  const low = update.low === undefined ? close : money(update.low);
  if (!low.gt(0)) throw new RangeError('prices must be positive');
  if (high.lt(Dec.max(open, close)) || low.gt(Dec.min(open, close))) {
    throw new RangeError('the high and low must contain the open and the price');
  }
  return { open, high, low };
}

function positiveLevel(name: string, value: string): D {
  const d = money(value);
  if (!d.gt(0)) throw new RangeError(`${name} must be positive`);
  return d;
}

function level(name: 'limitPrice' | 'stopPrice', value: string | undefined, type: SimOrderType): D {
  if (value === undefined) throw new RangeError(`a ${type} order needs a ${name}`);
  return positiveLevel(name, value);
}

/**
 * A limit order's fill on a bar, from a reference price the order is live at: a buy fills when
 * the low reaches the limit, at the better of the reference and the limit; a sell mirrors.
 */
function limitFill(side: SimSide, limit: D, from: D, bar: Bar): D | undefined {
  if (side === 'buy') return bar.low.lte(limit) ? Dec.min(from, limit) : undefined;
  return bar.high.gte(limit) ? Dec.max(from, limit) : undefined;
}

/** Where a stop triggers on a bar: a buy stop when the high reaches it, at the open if it gapped past. */
function stopHit(side: SimSide, stop: D, bar: Bar): D | undefined {
  if (side === 'buy') return bar.high.gte(stop) ? Dec.max(bar.open, stop) : undefined;
  return bar.low.lte(stop) ? Dec.min(bar.open, stop) : undefined;
}

/**
 * Whether `order` fills on `update`, at what raw price, and whether slippage applies.
 *   market: at the open, slips.
 *   limit: buy when low ≤ limit at min(open, limit) (a gap through fills at the open); sell
 *     mirrors; no slippage.
 *   stop: buy when high ≥ stop at max(open, stop); sell mirrors; slips.
 *   stop_limit: the stop triggers as a stop would (or was triggered before); from then on it is
 *     a limit order live from the trigger price (the open, when triggered earlier), in the same
 *     update. Triggered but not fillable: fills false, stopTriggered true. A fill never crosses
 *     the limit, and does not slip.
 * A type missing the price it needs, or a malformed bar, throws a RangeError.
 */
export function triggerOf(order: SimOrder, update: PriceUpdate): Trigger {
  if (order.side !== 'buy' && order.side !== 'sell') throw new RangeError(`side must be 'buy' or 'sell'`);
  const bar = barOf(update);
  switch (order.type) {
    case 'market':
      return { fills: true, stopTriggered: false, price: bar.open, slips: true };
    case 'limit': {
      const price = limitFill(order.side, level('limitPrice', order.limitPrice, order.type), bar.open, bar);
      return price === undefined
        ? { fills: false, stopTriggered: false }
        : { fills: true, stopTriggered: false, price, slips: false };
    }
    case 'stop': {
      const price = stopHit(order.side, level('stopPrice', order.stopPrice, order.type), bar);
      return price === undefined
        ? { fills: false, stopTriggered: false }
        : { fills: true, stopTriggered: true, price, slips: true };
    }
    case 'stop_limit': {
      const limit = level('limitPrice', order.limitPrice, order.type);
      const stop = level('stopPrice', order.stopPrice, order.type);
      const from = order.stopTriggered === true ? bar.open : stopHit(order.side, stop, bar);
      if (from === undefined) return { fills: false, stopTriggered: false };
      const price = limitFill(order.side, limit, from, bar);
      return price === undefined
        ? { fills: false, stopTriggered: true }
        : { fills: true, stopTriggered: true, price, slips: false };
    }
    default:
      throw new RangeError(`unknown order type: ${String((order as { type: unknown }).type)}`);
  }
}

export interface BracketExit {
  reason: 'stop' | 'target';
  /** the raw exit price before slippage */
  price: D;
  /** stop exits slip (a stop becomes a market order); target exits are limits and do not */
  slips: boolean;
}

/**
 * A bracket's exit of an open position on a price update, in the backtester's order. Long:
 * open ≤ stop → stop at the open; open ≥ target → target at the open; low ≤ stop → stop at the
 * stop; high ≥ target → target at the target. Short mirrors. The stop comes first when one bar
 * touches both (we cannot know which came first, so assume the worse). undefined: no exit.
 */
export function bracketExit(
  position: 'long' | 'short',
  levels: { stopLoss?: string; takeProfit?: string },
  update: PriceUpdate,
): BracketExit | undefined {
  if (position !== 'long' && position !== 'short') throw new RangeError(`position must be 'long' or 'short'`);
  const bar = barOf(update);
  const stop = levels.stopLoss === undefined ? undefined : positiveLevel('stopLoss', levels.stopLoss);
  const target = levels.takeProfit === undefined ? undefined : positiveLevel('takeProfit', levels.takeProfit);
  const long = position === 'long';
  // "beyond" a level is below it for a long's stop and a short's target, above it otherwise
  const stopGapped = stop !== undefined && (long ? bar.open.lte(stop) : bar.open.gte(stop));
  const targetGapped = target !== undefined && (long ? bar.open.gte(target) : bar.open.lte(target));
  if (stopGapped) return { reason: 'stop', price: bar.open, slips: true };
  if (targetGapped) return { reason: 'target', price: bar.open, slips: false };
  if (stop !== undefined && (long ? bar.low.lte(stop) : bar.high.gte(stop))) {
    return { reason: 'stop', price: stop, slips: true };
  }
  if (target !== undefined && (long ? bar.high.gte(target) : bar.low.lte(target))) {
    return { reason: 'target', price: target, slips: false };
  }
  return undefined;
}
