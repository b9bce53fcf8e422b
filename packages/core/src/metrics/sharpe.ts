import { annualizationFactor, type AnnualizationOptions } from './annualization.js';
import { nanMean, nanStdAround, shifted, type Adjustment } from './nan-stats.js';

export interface SharpeOptions extends AnnualizationOptions {
  /** risk-free return per period: a constant or a series aligned with the returns; default 0 */
  riskFree?: Adjustment;
}

/**
 * Annualised Sharpe ratio, as empyrical's sharpe_ratio: mean(r − rf) / std(r − rf, ddof=1) ×
 * √factor over the non-NaN excess returns. NaN for fewer than 2 returns; a zero deviation
 * gives ±Infinity (or NaN when the mean is 0 too), as IEEE division does in numpy.
 */
export function sharpeRatio(returns: ArrayLike<number>, opts: SharpeOptions = {}): number {
  if (returns.length < 2) return NaN;
  const { x, shift } = shifted(returns, opts.riskFree ?? 0, 'riskFree');
  const mean = nanMean(x, shift);
  return (mean / nanStdAround(x, mean, 1, shift)) * Math.sqrt(annualizationFactor(opts));
}
