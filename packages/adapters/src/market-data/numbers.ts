import { isDecimalString, shortestDecimalString } from '@ballast/core/decimal-grammar.js';

/**
 * A vendor's JSON number as a decimal string. `String(n)` of the parsed double is the shortest
 * text that reads back as the same double, so a price the vendor wrote as 130.15 comes out as
 * "130.15", not "130.15000000000001" (which `toFixed` or a multiplication would invent); only
 * its exponent form (1.5e-7, 1e+21) is expanded, since the decimal grammar has no exponent.
 * Trailing zeros the vendor wrote are lost with the parse ("130.10" → "130.1"): same value.
 * Undefined for anything that is not a finite number.
 */
export function decimalOfNumber(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const text = shortestDecimalString(value);
  return isDecimalString(text) ? text : undefined;
}
