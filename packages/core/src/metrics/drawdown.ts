import { BLOCK } from './nan-stats.js';

/**
 * Maximum drawdown of the compounded equity curve, as empyrical's max_drawdown: a negative
 * fraction (−0.25 = a 25% fall from the peak), 0 when equity never falls, NaN for no returns.
 * The starting equity counts as a peak, so a loss on the first period is a drawdown. NaN
 * returns count as 0.
 */
export function maxDrawdown(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  return compound(returns).worst;
}

/** What one walk along the compounded curve yields: its growth factor Π(1+r) and worst drawdown. */
export interface Compounded {
  /** Π(1 + r) over the non-NaN returns (1 for none) */
  growth: number;
  /** max drawdown as `maxDrawdown` defines it (0 for no returns) */
  worst: number;
}

const PEAK = 0;
const WORST = 1;
const PROD = 2;

/** One pass for both, so Calmar (annual return over max drawdown) reads the returns once. */
export function compound(returns: ArrayLike<number>): Compounded {
  const n = returns.length;
  const walk = new Float64Array(3);
  walk[PEAK] = 100;
  walk[WORST] = 0;
  walk[PROD] = 1;
  // in blocks, for the reason given at BLOCK
  for (let from = 0; from < n; from += BLOCK) compoundBlock(returns, from, Math.min(n, from + BLOCK), walk);
  return { growth: walk[PROD], worst: walk[WORST] };
}

function compoundBlock(returns: ArrayLike<number>, from: number, to: number, walk: Float64Array): void {
  let peak = walk[PEAK];
  let worst = walk[WORST];
  let prod = walk[PROD];
  for (let i = from; i < to; i++) {
    const r = returns[i];
    if (r === r) prod *= 1 + r;
    const value = 100 * prod;
    if (value > peak) peak = value;
    const dd = (value - peak) / peak;
    if (dd < worst) worst = dd;
  }
  walk[PEAK] = peak;
  walk[WORST] = worst;
  walk[PROD] = prod;
}
