// Exact decimal money. Anything that is or becomes real money (balances, prices, quantities,
// trade values, fees) goes through this module; floats stop at its door.
import { Decimal } from 'decimal.js';
import { minorUnits } from './currencies.js';
import {
  DECIMAL_RE,
  MAX_DECIMAL_LENGTH as MAX_LENGTH,
  MAX_SIGNIFICANT_DIGITS,
  significantDigits,
} from './decimal-grammar.js';

export { isDecimalString } from './decimal-grammar.js';

export { CURRENCY_MINOR_UNITS, minorUnits } from './currencies.js';

/**
 * A private Decimal constructor. decimal.js keeps its settings on the constructor, so another
 * module calling `Decimal.set({ precision: 5 })` would silently change our arithmetic; a clone
 * cannot be reached from outside. 34 significant digits is IEEE 754 decimal128: sums and
 * products of realistic money values are exact. `toExpNeg`/`toExpPos` are pushed out so
 * `toString()` never falls back to exponent notation.
 */
export const Dec: Decimal.Constructor = Decimal.clone({
  precision: 34,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});

/** A decimal value (any decimal.js instance; our values come from `Dec`). */
export type D = Decimal;
/** What money-like parameters accept: a plain decimal string or a Decimal. Never a JS number. */
export type DecimalInput = string | Decimal;

/**
 * Parse a plain decimal string (`"-1234.50"`) into a Decimal.
 * A JS number is refused with a TypeError even when it looks harmless: `0.1 + 0.2` has already
 * lost the money before it arrives. Anything outside the grammar above is refused with a
 * RangeError: blank strings, a "+" sign, leading zeros (`"007"`), a bare point (`".5"`, `"5."`),
 * exponents (`"1e3"`), `"NaN"`, `"Infinity"`, hex and surrounding whitespace; so are strings with
 * more than 34 significant digits (arithmetic on them would round) or more than 100 characters.
 */
export function parseDecimal(s: string): D {
  if (typeof s !== 'string') {
    throw new TypeError(`parseDecimal expects a decimal string, got ${describeNonString(s)}`);
  }
  if (s.length > MAX_LENGTH) throw new RangeError(`decimal string longer than ${MAX_LENGTH} characters`);
  if (!DECIMAL_RE.test(s)) throw new RangeError(`not a plain decimal string: ${JSON.stringify(s.slice(0, 64))}`);
  if (significantDigits(s) > MAX_SIGNIFICANT_DIGITS) {
    throw new RangeError(`more than ${MAX_SIGNIFICANT_DIGITS} significant digits: ${s.slice(0, 64)}`);
  }
  return new Dec(s);
}

/**
 * A Decimal from a decimal string or an existing finite Decimal (re-homed into `Dec`).
 * Numbers, bigints and everything else throw a TypeError.
 */
export function money(value: DecimalInput): D {
  if (typeof value === 'string') return parseDecimal(value);
  if (Decimal.isDecimal(value)) {
    if (!value.isFinite()) throw new RangeError('money must be finite');
    // Methods read precision and rounding from `x.constructor`, so a Decimal built by another
    // (possibly reconfigured) constructor is copied into ours before any arithmetic.
    return value.constructor === Dec ? value : new Dec(value);
  }
  throw new TypeError(`money expects a decimal string or Decimal, got ${describeNonString(value)}`);
}

/** What a refused non-string is, for the TypeError: a number gets told why floats are refused. */
function describeNonString(value: unknown): string {
  return typeof value === 'number' ? 'a JS number (floats are refused; pass a string)' : typeof value;
}

/** Canonical string of a Decimal: plain notation, no exponent, never "-0". */
export function decimalString(d: Decimal): string {
  return d.isZero() ? '0' : d.toFixed();
}

export type RoundingMode = 'half-even' | 'half-up' | 'half-down' | 'up' | 'down' | 'ceil' | 'floor';

const ROUNDING: Record<RoundingMode, Decimal.Rounding> = {
  'half-even': Decimal.ROUND_HALF_EVEN,
  'half-up': Decimal.ROUND_HALF_UP,
  'half-down': Decimal.ROUND_HALF_DOWN,
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
  ceil: Decimal.ROUND_CEIL,
  floor: Decimal.ROUND_FLOOR,
};

/**
 * Default rounding: half-even (banker's). Reports sum many rounded figures (per-trade P&L,
 * fees, backtest results); half-up drifts those sums upward by a quarter of a minor unit per
 * tie on average, half-even does not. It is also IEEE 754's default. Use `'half-up'` where a
 * counterparty's rule demands it (many invoices and tax forms).
 */
export const DEFAULT_ROUNDING: RoundingMode = 'half-even';

/** Round to the currency's minor unit (cents for USD, yen for JPY, fils for BHD). */
export function roundToMinor(d: DecimalInput, currency: string, mode: RoundingMode = DEFAULT_ROUNDING): D {
  const rounding = ROUNDING[mode];
  if (rounding === undefined) throw new RangeError(`unknown rounding mode: ${String(mode)}`);
  return money(d).toDecimalPlaces(minorUnits(currency), rounding);
}

/**
 * The canonical money string: rounded to the minor unit and always showing every minor digit
 * ("1234.50", "1235" for JPY). This is the wire and storage format; locale display (grouping,
 * symbols) belongs to the UI.
 */
export function formatMoney(d: DecimalInput, currency: string, mode: RoundingMode = DEFAULT_ROUNDING): string {
  const r = roundToMinor(d, currency, mode);
  const s = r.toFixed(minorUnits(currency));
  return r.isZero() ? s.replace(/^-/, '') : s;
}
