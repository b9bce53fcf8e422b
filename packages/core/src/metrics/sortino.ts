import { annualizationFactor, type AnnualizationOptions } from './annualization.js';
import { shifted, type Adjustment } from './nan-stats.js';

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
  const sums = downsideSums(x, shift);
  return Math.sqrt(sums.squares / sums.count) * Math.sqrt(annualizationFactor(opts));
}

/**
 * Annualised Sortino ratio, as empyrical's sortino_ratio: mean(r − required) × factor /
 * downsideRisk. NaN for fewer than 2 returns; +Infinity when the mean is positive and there is
 * no downside; NaN when both are 0.
 */
export function sortinoRatio(returns: ArrayLike<number>, opts: DownsideOptions = {}): number {
  if (returns.length < 2) return NaN;
  const { x, shift } = shifted(returns, opts.requiredReturn ?? 0, 'requiredReturn');
  // the mean and the downside deviation share one pass over the returns
  const sums = downsideSums(x, shift);
  const factor = annualizationFactor(opts);
  return ((sums.sum / sums.count) * factor) / (Math.sqrt(sums.squares / sums.count) * Math.sqrt(factor));
}

/** Over the non-NaN v = x − shift: their count, Σv and Σmin(v, 0)² (sums of none are 0, so x/count is NaN). */
interface DownsideSums {
  count: number;
  sum: number;
  squares: number;
}

function downsideSums(x: ArrayLike<number>, shift: number): DownsideSums {
  let count = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - shift;
    if (v === v) {
      count++;
      sum += v;
      // adding 0 for an upside period leaves the sum bit-identical to numpy's mean of the clipped series
      squares += v > 0 ? 0 : v * v;
    }
  }
  return { count, sum, squares };
}
