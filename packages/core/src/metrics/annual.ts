import { annualizationFactor, type AnnualizationOptions } from './annualization.js';
import { cumReturnsFinal } from './cum-returns.js';
import { nanStd } from './nan-stats.js';

/**
 * Compound annual growth rate, as empyrical's annual_return: (1 + total)^(1/years) − 1 with
 * years = returns.length / factor — NaN entries count in that length. NaN for no returns.
 */
export function annualReturn(returns: ArrayLike<number>, opts: AnnualizationOptions = {}): number {
  if (returns.length < 1) return NaN;
  return annualReturnOf(cumReturnsFinal(returns), returns.length, annualizationFactor(opts));
}

/** `annualReturn` from the total compounded return of `n` periods (n ≥ 1), for callers that have it. */
export function annualReturnOf(total: number, n: number, factor: number): number {
  const years = n / factor;
  return (1 + total) ** (1 / years) - 1;
}

export interface AnnualVolatilityOptions extends AnnualizationOptions {
  /** scaling exponent: volatility × factor^(1/alpha); 2 for the usual √time rule */
  alpha?: number;
}

/**
 * Annualised volatility, as empyrical's annual_volatility: sample standard deviation
 * (ddof = 1) of the non-NaN returns × factor^(1/alpha). NaN for fewer than 2 returns.
 */
export function annualVolatility(returns: ArrayLike<number>, opts: AnnualVolatilityOptions = {}): number {
  if (returns.length < 2) return NaN;
  const alpha = opts.alpha ?? 2;
  return nanStd(returns, 1) * annualizationFactor(opts) ** (1 / alpha);
}
