import { annualReturnOf } from './annual.js';
import { annualizationFactor, type AnnualizationOptions } from './annualization.js';
import { compound } from './drawdown.js';

/**
 * Calmar ratio, as empyrical's calmar_ratio: annualReturn / |maxDrawdown|. NaN when there is no
 * drawdown (max drawdown ≥ 0 or undefined) and NaN instead of ±Infinity.
 */
export function calmarRatio(returns: ArrayLike<number>, opts: AnnualizationOptions = {}): number {
  if (returns.length === 0) return NaN;
  // one pass: the drawdown walk compounds the same growth factor annualReturn needs
  const { growth, worst } = compound(returns);
  if (!(worst < 0)) return NaN;
  return calmarOf(annualReturnOf(growth - 1, returns.length, annualizationFactor(opts)), worst);
}

/** Calmar from an annual return and a max drawdown already computed. */
export function calmarOf(annual: number, maxDrawdown: number): number {
  if (!(maxDrawdown < 0)) return NaN;
  const r = annual / Math.abs(maxDrawdown);
  return Number.isFinite(r) ? r : NaN;
}
