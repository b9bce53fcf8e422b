// Exact arithmetic on decimal strings with BigInt, for the few figures a parser derives (a Kraken
// price from two ledger legs, a fee converted at that price). decimal.js would round a quotient to
// 34 significant digits first and to the ledger's 12 places second; rounding the exact rational
// once avoids that double rounding.

/** Decimal places a non-terminating quotient is rounded to (half-even), as `divideDecimals` does. */
export const QUOTIENT_PLACES = 12;

interface Scaled {
  units: bigint;
  scale: number;
}

function toScaled(decimal: string): Scaled {
  const point = decimal.indexOf('.');
  if (point < 0) return { units: BigInt(decimal), scale: 0 };
  const fraction = decimal.slice(point + 1);
  return { units: BigInt(decimal.slice(0, point) + fraction), scale: fraction.length };
}

/** The canonical string of units / 10^scale: no trailing fraction zeros, never "-0". */
function fromScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  let digits = (negative ? -units : units).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    const fraction = digits.slice(-scale).replace(/0+$/, '');
    digits = fraction === '' ? digits.slice(0, -scale) : `${digits.slice(0, -scale)}.${fraction}`;
  }
  return negative && /[1-9]/.test(digits) ? `-${digits}` : digits;
}

const TEN = 10n;
const pow10 = (places: number) => TEN ** BigInt(places);

export function isZeroDecimal(decimal: string): boolean {
  return !/[1-9]/.test(decimal);
}

export function isNegativeDecimal(decimal: string): boolean {
  return decimal.startsWith('-') && !isZeroDecimal(decimal);
}

/** |decimal|, keeping its digits as written. */
export function absDecimal(decimal: string): string {
  return decimal.startsWith('-') ? decimal.slice(1) : decimal;
}

export function addDecimals(left: string, right: string): string {
  const a = toScaled(left);
  const b = toScaled(right);
  const scale = Math.max(a.scale, b.scale);
  return fromScaled(a.units * pow10(scale - a.scale) + b.units * pow10(scale - b.scale), scale);
}

export function multiplyDecimals(left: string, right: string): string {
  const a = toScaled(left);
  const b = toScaled(right);
  return fromScaled(a.units * b.units, a.scale + b.scale);
}

/**
 * numerator / denominator rounded half-even to QUOTIENT_PLACES (12) decimal places — the most the
 * ledger takes — with `exact: true` when that loses nothing (the quotient terminates within 12
 * places). One rounding of the exact rational value, never a rounding of a rounding. The
 * denominator must not be zero.
 */
export function divideDecimals(numerator: string, denominator: string): { value: string; exact: boolean } {
  const a = toScaled(numerator);
  const b = toScaled(denominator);
  if (b.units === 0n) throw new RangeError('division by zero');
  // a/b = (A·10^sb) / (B·10^sa), a fraction of integers.
  let top = a.units * pow10(b.scale) * pow10(QUOTIENT_PLACES);
  let bottom = b.units * pow10(a.scale);
  if (bottom < 0n) {
    top = -top;
    bottom = -bottom;
  }
  return { value: fromScaled(roundHalfEven(top, bottom), QUOTIENT_PLACES), exact: top % bottom === 0n };
}

/** top / bottom (bottom > 0) rounded to an integer, ties to even. */
function roundHalfEven(top: bigint, bottom: bigint): bigint {
  const negative = top < 0n;
  const magnitude = negative ? -top : top;
  let quotient = magnitude / bottom;
  const twiceRemainder = (magnitude % bottom) * 2n;
  if (twiceRemainder > bottom || (twiceRemainder === bottom && quotient % 2n === 1n)) quotient++;
  return negative ? -quotient : quotient;
}
