// The decimal grammar on its own (no decimal.js): the HTTP schemas validate with it, and
// `parseDecimal` parses with it, so the two cannot drift apart; bundles that only validate
// do not carry the arithmetic.

/** Longer strings are not money; the cap keeps a hostile input from costing memory and time. */
export const MAX_DECIMAL_LENGTH = 100;

/**
 * The one decimal grammar of Ballast (the HTTP layer validates with the schemas in
 * money-schema.ts, which call `isDecimalString`): an optional leading "-" (no "+"), an integer
 * part without leading zeros (a lone "0" is fine), and an optional fraction of at least one
 * digit. No exponent, no blanks, no hex. One spelling per number, give or take trailing zeros
 * and "-0", so a stored amount compares and round-trips as its text.
 */
export const DECIMAL_RE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
/** More significant digits than the working precision would be rounded by the first operation. */
export const MAX_SIGNIFICANT_DIGITS = 34;

/** True when `s` is a plain decimal string `parseDecimal` accepts. */
export function isDecimalString(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > MAX_DECIMAL_LENGTH || !DECIMAL_RE.test(s)) return false;
  return significantDigits(s) <= MAX_SIGNIFICANT_DIGITS;
}

/**
 * Digits from the first to the last non-zero one, the point not counted: what decimal.js has to
 * store ("1000" and "0.0010" are one digit). Called on every parse, so no regex.
 */
export function significantDigits(s: string): number {
  let first = -1;
  let last = -1;
  let pos = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) continue; // sign or point
    if (c !== 48) {
      if (first < 0) first = pos;
      last = pos;
    }
    pos++;
  }
  return first < 0 ? 1 : last - first + 1;
}

/**
 * The shortest decimal string that reads back as the same float64 (ECMAScript's Number → String,
 * expanded out of exponent form, since the grammar has none): 187.43 → "187.43", 1.5e-7 →
 * "0.00000015", −0 → "0". Where a float must become a decimal without inventing digits (stored
 * candles, a vendor's JSON numbers), never `toFixed`.
 */
export function shortestDecimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  if (Object.is(value, -0)) return '0';
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const point = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const intLength = (point < 0 ? mantissa.length : point) + exponent;
  let out: string;
  if (intLength <= 0) out = `0.${'0'.repeat(-intLength)}${digits}`;
  else if (intLength >= digits.length) out = digits + '0'.repeat(intLength - digits.length);
  else out = `${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
  return negative ? `-${out}` : out;
}
