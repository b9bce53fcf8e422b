/**
 * Where market data crosses the line DESIGN.md "Numbers" draws. Stored candles are float64
 * (columns of Float64Array, what indicators and the simulator read without a conversion); money
 * stays decimal everywhere else. A price leaves storage as the *shortest decimal string that
 * round-trips to the same float64* (ECMAScript's Number → String, expanded out of exponent form):
 * an uploaded "187.43" is stored as the double nearest to 187.43 and read back as "187.43", exactly
 * as sent, for any decimal of up to 15 significant digits. That string is what valuation hands to
 * decimal.js — never the float itself, and never `toFixed`, which would invent digits.
 */

/** The shortest round-trip decimal string of a finite float, in the platform's decimal grammar (no exponent). */
export function decimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  if (Object.is(value, -0)) return '0';
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  // 1.5e-7 → 0.00000015; 1.2e+21 → 1200000000000000000000
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

/** A decimal string (already validated by the decimal grammar) as the nearest float64. */
export const floatOf = (decimal: string): number => Number(decimal);
