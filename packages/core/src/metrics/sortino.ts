import { annualizationFactor, type AnnualizationOptions } from './annualization.js';
import { M_COUNT, M_DOWNSIDE, M_SUM, MOMENTS, moments, shifted, type Adjustment } from './nan-stats.js';

export interface DownsideOptions extends AnnualizationOptions {
  /** minimum acceptable return per period: a constant or an aligned series; default 0 */
  requiredReturn?: Adjustment;
}

/**
 * Annualised downside deviation, as empyrical's downside_risk:
 * √mean(min(r − required, 0)²) × √factor over the non-NaN returns (divisor = their count, not
 * count − 1). 0 when nothing falls below the requirement; NaN for no returns.
 */
export function downsideRisk(returns: ArrayLike<number>, opts: DownsideOptions = {}): number {
  if (returns.length < 1) return NaN;
  const { x, shift } = shifted(returns, opts.requiredReturn ?? 0, 'requiredReturn');
  const m = new Float64Array(MOMENTS);
  moments(x, shift, m);
  return Math.sqrt(m[M_DOWNSIDE] / m[M_COUNT]) * Math.sqrt(annualizationFactor(opts));
}

/**
 * Annualised Sortino ratio, as empyrical's sortino_ratio: mean(r − required) × factor /
 * downsideRisk. NaN for fewer than 2 returns; +Infinity when the mean is positive and there is
 * no downside; NaN when both are 0.
 */
export function sortinoRatio(returns: ArrayLike<number>, opts: DownsideOptions = {}): number {
  if (returns.length < 2) return NaN;
  const { x, shift } = shifted(returns, opts.requiredReturn ?? 0, 'requiredReturn');
  // the mean and the downside deviation share one pass over the returns (a count of 0 leaves
  // sums of 0, and 0/0 is the NaN mean of nothing)
  const m = new Float64Array(MOMENTS);
  moments(x, shift, m);
  const factor = annualizationFactor(opts);
  return ((m[M_SUM] / m[M_COUNT]) * factor) / (Math.sqrt(m[M_DOWNSIDE] / m[M_COUNT]) * Math.sqrt(factor));
}
