// NaN-skipping statistics with numpy's nanmean/nanstd semantics (empyrical uses them).

/** A per-period series (same length as the returns) or one constant. */
export type Adjustment = number | ArrayLike<number>;

/** returns[i] − adj (or adj[i]), as a new array. */
export function adjusted(returns: ArrayLike<number>, adj: Adjustment, name: string): Float64Array {
  const n = returns.length;
  const out = new Float64Array(n);
  if (typeof adj === 'number') {
    for (let i = 0; i < n; i++) out[i] = returns[i] - adj;
    return out;
  }
  if (adj.length !== n) throw new RangeError(`${name} series length ${adj.length} differs from returns length ${n}`);
  for (let i = 0; i < n; i++) out[i] = returns[i] - adj[i];
  return out;
}

/** Mean of the non-NaN values; NaN when there are none. */
export function nanMean(x: ArrayLike<number>): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v === v) {
      s += v;
      k++;
    }
  }
  return k === 0 ? NaN : s / k;
}

/**
 * Standard deviation of the non-NaN values with divisor (count − ddof); NaN when count ≤ ddof.
 * Identical values give exactly 0 (a summed mean can be off by an ulp, which would otherwise
 * leave a 1e-18 "deviation" and turn empyrical's Sharpe of a flat line, +Infinity, finite).
 */
export function nanStd(x: ArrayLike<number>, ddof: number): number {
  const m = nanMean(x);
  let ss = 0;
  let k = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v === v) {
      const d = v - m;
      ss += d * d;
      k++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (k - ddof <= 0) return NaN;
  return lo === hi ? 0 : Math.sqrt(ss / (k - ddof));
}
