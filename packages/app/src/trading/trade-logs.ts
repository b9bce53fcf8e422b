import { Dec, type D, parseDecimal } from '@ballast/core/money.js';
import type { FieldError } from '@ballast/platform/errors.js';
import type { TradeSide } from './journal-schemas.js';

// The arithmetic of a manual trade log: exact decimals (decimal.js) from its decimal strings.

/** Prices of a trade log that must sit on the right sides of the entry. */
export interface Levels {
  type: TradeSide;
  entryPrice: string;
  target?: string;
  stop?: string;
}

/**
 * Where each level must be: a long's stop below the entry and its target above; a short's the
 * other way round. Each misplaced level is one error naming its field (`prefix` + name).
 */
export function levelErrors(levels: Levels, prefix = 'body.'): FieldError[] {
  const entry = parseDecimal(levels.entryPrice);
  const long = levels.type === 'long';
  const errors: FieldError[] = [];
  if (levels.stop !== undefined) {
    const stop = parseDecimal(levels.stop);
    if (long ? !stop.lessThan(entry) : !stop.greaterThan(entry)) {
      errors.push({
        path: `${prefix}stop`,
        message: `must be ${long ? 'below' : 'above'} the entry price ${levels.entryPrice} for a ${levels.type}`,
      });
    }
  }
  if (levels.target !== undefined) {
    const target = parseDecimal(levels.target);
    if (long ? !target.greaterThan(entry) : !target.lessThan(entry)) {
      errors.push({
        path: `${prefix}target`,
        message: `must be ${long ? 'above' : 'below'} the entry price ${levels.entryPrice} for a ${levels.type}`,
      });
    }
  }
  return errors;
}

/**
 * |target − entry| / |entry − stop|, rounded half up to 2 places; null unless both levels are set.
 * Only called on levels `levelErrors` accepted, so the stop never equals the entry.
 */
export function riskRewardOf(levels: Levels): string | null {
  if (levels.target === undefined || levels.stop === undefined) return null;
  const entry = parseDecimal(levels.entryPrice);
  const reward = parseDecimal(levels.target).minus(entry).abs();
  const risk = entry.minus(parseDecimal(levels.stop)).abs();
  return reward.dividedBy(risk).toFixed(2, Dec.ROUND_HALF_UP);
}

/** (price − entry) × quantity for a long, (entry − price) × quantity for a short: exact. */
export function pnlAt(type: TradeSide, entryPrice: string, price: string, quantity: string): string {
  const move: D = parseDecimal(price).minus(parseDecimal(entryPrice));
  const signed = type === 'long' ? move : move.negated();
  return plain(signed.times(parseDecimal(quantity)));
}

/** A decimal string without exponent or a "-0". */
function plain(d: D): string {
  return d.isZero() ? '0' : d.toFixed();
}
