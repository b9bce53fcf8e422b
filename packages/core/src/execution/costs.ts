// Fee and slippage models of real orders, in exact decimal. They are the backtester's formulas
// (backtest/engine.ts `commission`, its slippage at the fill), which run on floats for speed;
// a property test holds the two together.
import type { CommissionConfig } from '../backtest/config.js';
import { Dec, money, type D, type DecimalInput } from '../money.js';

const BPS = new Dec(10_000);

/** A config number as a decimal: decimal.js reads a double by its shortest round-trip digits. */
function configDecimal(name: string, value: number): D {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`commission.${name} must be a finite non-negative number`);
  }
  return new Dec(value);
}

function nonNegative(name: string, value: DecimalInput): D {
  const d = money(value);
  if (d.isNegative() && !d.isZero()) throw new RangeError(`${name} must not be negative`);
  return d;
}

/** Commission of one fill of `quantity` at `price`: max(minimum, fixed + perShare × q + rate × q × price). */
export function commissionOf(quantity: DecimalInput, price: DecimalInput, commission: CommissionConfig): D {
  const q = nonNegative('quantity', quantity);
  const p = nonNegative('price', price);
  const fee = configDecimal('fixed', commission.fixed)
    .plus(configDecimal('perShare', commission.perShare).times(q))
    .plus(configDecimal('rate', commission.rate).times(q).times(p));
  return Dec.max(configDecimal('minimum', commission.minimum), fee);
}

/**
 * The fill price after slippage, always against the trader: a buy pays price × (1 + bps/10 000),
 * a sell receives price × (1 − bps/10 000). Not rounded: roundPrice to the venue's tick.
 */
export function slippedPrice(price: DecimalInput, side: 'buy' | 'sell', bps: number): D {
  const p = nonNegative('price', price);
  if (side !== 'buy' && side !== 'sell') throw new RangeError(`side must be 'buy' or 'sell'`);
  // past 10 000 bps a sell would be paid a negative price
  if (typeof bps !== 'number' || !Number.isFinite(bps) || bps < 0 || bps > 10_000) {
    throw new RangeError('bps must be a number in [0, 10000]');
  }
  const move = new Dec(bps).div(BPS);
  return p.times(side === 'buy' ? move.plus(1) : new Dec(1).minus(move));
}

/** Round a price to `decimals` places, half-even (ties go to the even digit, neither side's way). */
export function roundPrice(price: DecimalInput, decimals: number): D {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 34) {
    throw new RangeError('decimals must be an integer in [0, 34]');
  }
  return money(price).toDecimalPlaces(decimals, Dec.ROUND_HALF_EVEN);
}
