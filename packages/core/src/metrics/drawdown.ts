/**
 * Maximum drawdown of the compounded equity curve, as empyrical's max_drawdown: a negative
 * fraction (−0.25 = a 25% fall from the peak), 0 when equity never falls, NaN for no returns.
 * The starting equity counts as a peak, so a loss on the first period is a drawdown. NaN
 * returns count as 0.
 */
export function maxDrawdown(returns: ArrayLike<number>): number {
  const n = returns.length;
  if (n === 0) return NaN;
  let peak = 100;
  let worst = 0;
  let prod = 1;
  for (let i = 0; i < n; i++) {
    const r = returns[i];
    if (r === r) prod *= 1 + r;
    const value = 100 * prod;
    if (value > peak) peak = value;
    const dd = (value - peak) / peak;
    if (dd < worst) worst = dd;
  }
  return worst;
}
