/**
 * Cumulative returns from simple period returns, as empyrical's cum_returns: NaN returns count
 * as 0; with startingValue 0 the result is Π(1+r) − 1, otherwise startingValue·Π(1+r).
 */
export function cumReturns(returns: ArrayLike<number>, startingValue = 0, out?: Float64Array): Float64Array {
  const n = returns.length;
  if (out !== undefined && out.length !== n) {
    throw new RangeError(`out.length must equal the returns length ${n}, got ${out.length}`);
  }
  const res = out ?? new Float64Array(n);
  let prod = 1;
  for (let i = 0; i < n; i++) {
    const r = returns[i];
    if (r === r) prod *= 1 + r;
    res[i] = startingValue === 0 ? prod - 1 : prod * startingValue;
  }
  return res;
}

/** Total compounded return Π(1+r) − 1 (NaN counts as 0); NaN for an empty series. */
export function cumReturnsFinal(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  let prod = 1;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    if (r === r) prod *= 1 + r;
  }
  return prod - 1;
}
