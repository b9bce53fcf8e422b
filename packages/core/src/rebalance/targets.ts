// Target weights: validated and brought to fractions that sum to exactly 1.
import { Dec, money, type D } from '../money.js';

/** A weight: a fraction (0.6) or a percentage (60), as a number, decimal string or Decimal. */
export type WeightInput = number | string | D;

function weight(symbol: string, w: WeightInput): D {
  if (typeof w === 'number') {
    if (!Number.isFinite(w)) throw new RangeError(`target weight of ${symbol} must be finite`);
    return new Dec(w); // weights are ratios, not money: the number's shortest decimal form is taken
  }
  return money(w);
}

/** Weights may miss their total by this much (1/3 written as 0.3333333333 three times). */
const TOLERANCE = new Dec('1e-9');

/**
 * Targets must be non-negative and sum to 1 (fractions) or 100 (percent), within 1e-9 of the
 * total; they are then divided by their sum, so the result sums to 1 and carries no rounding
 * bias from how the caller wrote them.
 */
export function normaliseTargets(targets: Readonly<Record<string, WeightInput>>): Map<string, D> {
  const out = new Map<string, D>();
  let sum = new Dec(0);
  for (const [symbol, w] of Object.entries(targets)) {
    const d = weight(symbol, w);
    if (d.isNegative() && !d.isZero()) throw new RangeError(`target weight of ${symbol} is negative`);
    out.set(symbol, d);
    sum = sum.plus(d);
  }
  const isFraction = sum.minus(1).abs().lte(TOLERANCE);
  const isPercent = sum.minus(100).abs().lte(TOLERANCE.times(100));
  if (!isFraction && !isPercent) throw new RangeError(`target weights sum to ${sum.toFixed()}, not 1 or 100`);
  if (sum.eq(100)) {
    const percent = new Dec('0.01'); // exact, and no division per target
    for (const [s, d] of out) out.set(s, d.times(percent));
  } else if (!sum.eq(1)) {
    for (const [s, d] of out) out.set(s, d.div(sum));
  }
  return out;
}
