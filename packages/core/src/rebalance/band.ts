// Tolerance bands around a target weight. Weights are fractions of the investable value
// (0.6 = 60%); band parameters are in percent, as people state them.
import { Dec, type D } from '../money.js';

export type RebalanceBand =
  /** ± `points` percentage points around the target (5 → a 60% target may float 55%–65%) */
  | { readonly kind: 'absolute'; readonly points: number }
  /** ± `pct` percent of the target itself (25 → a 60% target may float 45%–75%) */
  | { readonly kind: 'relative'; readonly pct: number }
  /**
   * Larry Swedroe's 5/25 rule: ± 5 points or ± 25% of the target, whichever is smaller
   * (60% target → ±5 points; 10% target → ±2.5 points). The two numbers may be overridden.
   */
  | { readonly kind: '5/25'; readonly absolutePoints?: number; readonly relativePct?: number };

export const DEFAULT_REBALANCE_BAND: RebalanceBand = Object.freeze({ kind: '5/25' });

const PERCENT = new Dec('0.01'); // × 0.01 is exact, ÷ 100 would round at 34 digits and cost a division

function pct(name: string, v: number | undefined, fallback: number): D {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0)
    throw new RangeError(`band ${name} must be a non-negative number`);
  return new Dec(x).times(PERCENT);
}

/** The band as a function of the target, its parameters validated and converted once. */
export function bandFunction(band: RebalanceBand): (target: D) => D {
  switch (band.kind) {
    case 'absolute': {
      const w = pct('points', band.points, Number.NaN);
      return () => w;
    }
    case 'relative': {
      const r = pct('pct', band.pct, Number.NaN);
      return (t) => t.times(r);
    }
    case '5/25': {
      const w = pct('absolutePoints', band.absolutePoints, 5);
      const r = pct('relativePct', band.relativePct, 25);
      return (t) => Dec.min(w, t.times(r));
    }
    default:
      throw new RangeError(`unknown band kind: ${String((band as { kind: unknown }).kind)}`);
  }
}

/**
 * The half-width of the band around `target` (a fraction). An asset is outside its band when
 * |actual − target| > half-width: sitting exactly on the edge is inside.
 */
export function bandHalfWidth(band: RebalanceBand, target: D): D {
  return bandFunction(band)(target);
}
