import { shortestDecimalString } from '@ballast/core/decimal-grammar.js';

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
export const decimalString = shortestDecimalString;

/** A decimal string (already validated by the decimal grammar) as the nearest float64. */
export const floatOf = (decimal: string): number => Number(decimal);
