import { annualizationFactor, type AnnualizationOptions } from './annualization.js';
import { adjusted, nanMean, type Adjustment } from './nan-stats.js';

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
  const d = adjusted(returns, opts.requiredReturn ?? 0, 'requiredReturn');
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    d[i] = v > 0 ? 0 : v * v; // NaN stays NaN and is skipped by nanMean
  }
  return Math.sqrt(nanMean(d)) * Math.sqrt(annualizationFactor(opts));
}

/**
 * Annualised Sortino ratio, as empyrical's sortino_ratio: mean(r − required) × factor /
 * downsideRisk. NaN for fewer than 2 returns; +Infinity when the mean is positive and there is
 * no downside; NaN when both are 0.
 */
export function sortinoRatio(returns: ArrayLike<number>, opts: DownsideOptions = {}): number {
  if (returns.length < 2) return NaN;
  const mean = nanMean(adjusted(returns, opts.requiredReturn ?? 0, 'requiredReturn'));
  return (mean * annualizationFactor(opts)) / downsideRisk(returns, opts);
}
