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

/**
 * The series a metric reads and the constant it subtracts on the fly. A constant adjustment
 * (the common case: 0) needs no copy — `r − c` computed in the loop is the same double the copy
 * would hold — so only a per-period series is materialised by `adjusted`.
 */
export interface Shifted {
  x: ArrayLike<number>;
  shift: number;
}

export function shifted(returns: ArrayLike<number>, adj: Adjustment, name: string): Shifted {
  return typeof adj === 'number' ? { x: returns, shift: adj } : { x: adjusted(returns, adj, name), shift: 0 };
}

/** Mean of the non-NaN values of x − shift; NaN when there are none. */
export function nanMean(x: ArrayLike<number>, shift = 0): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - shift;
    if (v === v) {
      s += v;
      k++;
    }
  }
  // no comparison after the loop: with k = 0, s is 0 and 0/0 is the NaN wanted, and code after
  // a long loop that was compiled mid-loop (on-stack replacement) has no type feedback to use
  return s / k;
}

/**
 * Standard deviation of the non-NaN values of x − shift with divisor (count − ddof); NaN when
 * count ≤ ddof. Identical values give exactly 0 (a summed mean can be off by an ulp, which would
 * otherwise leave a 1e-18 "deviation" and turn empyrical's Sharpe of a flat line, +Infinity,
 * finite).
 */
export function nanStd(x: ArrayLike<number>, ddof: number, shift = 0): number {
  return nanStdAround(x, nanMean(x, shift), ddof, shift);
}

/** `nanStd` around a mean the caller already has (`nanMean(x, shift)`): one pass instead of two. */
export function nanStdAround(x: ArrayLike<number>, mean: number, ddof: number, shift = 0): number {
  let ss = 0;
  let k = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - shift;
    if (v === v) {
      const d = v - mean;
      ss += d * d;
      k++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return stdOf(ss, k, ddof, lo, hi);
}

/** The end of a deviation: NaN without enough values, exactly 0 for a constant series. */
export function stdOf(ss: number, k: number, ddof: number, lo: number, hi: number): number {
  if (k - ddof <= 0) return NaN;
  return lo === hi ? 0 : Math.sqrt(ss / (k - ddof));
}
