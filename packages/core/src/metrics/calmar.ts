import { annualReturn } from './annual.js';
import type { AnnualizationOptions } from './annualization.js';
import { maxDrawdown } from './drawdown.js';

/**
 * Calmar ratio, as empyrical's calmar_ratio: annualReturn / |maxDrawdown|. NaN when there is no
 * drawdown (max drawdown ≥ 0 or undefined) and NaN instead of ±Infinity.
 */
export function calmarRatio(returns: ArrayLike<number>, opts: AnnualizationOptions = {}): number {
  const dd = maxDrawdown(returns);
  if (!(dd < 0)) return NaN;
  const r = annualReturn(returns, opts) / Math.abs(dd);
  return Number.isFinite(r) ? r : NaN;
}
