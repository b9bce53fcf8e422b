import { shifted, type Adjustment } from './nan-stats.js';

export interface OmegaOptions {
  /** risk-free return per period: constant or aligned series; default 0 */
  riskFree?: Adjustment;
  /** ANNUAL minimum acceptable return, de-annualised as (1+x)^(1/annualization) − 1; default 0 */
  requiredReturn?: number;
  /** periods per year used to de-annualise requiredReturn (1 = use it as is); default 252 */
  annualization?: number;
}

/**
 * Omega ratio, as empyrical's omega_ratio: with x = r − rf − threshold, Σ positive x /
 * −Σ negative x (NaN returns are skipped). NaN for fewer than 2 returns, when nothing falls
 * below the threshold, or when requiredReturn ≤ −1.
 */
export function omegaRatio(returns: ArrayLike<number>, opts: OmegaOptions = {}): number {
  if (returns.length < 2) return NaN;
  const required = opts.requiredReturn ?? 0;
  const ann = opts.annualization ?? 252;
  let threshold: number;
  if (ann === 1) threshold = required;
  else if (required <= -1) return NaN;
  else threshold = (1 + required) ** (1 / ann) - 1;
  const { x, shift } = shifted(returns, opts.riskFree ?? 0, 'riskFree');
  let up = 0;
  let down = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - shift - threshold;
    if (v > 0) up += v;
    else if (v < 0) down -= v;
  }
  return down > 0 ? up / down : NaN;
}
