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

/** Slots of `moments`' output. */
export const M_COUNT = 0;
export const M_SUM = 1;
export const M_MIN = 2;
export const M_MAX = 3;
export const M_DOWNSIDE = 4;
export const MOMENTS = 5;

/**
 * Elements per call of a block function. A loop that runs once per metric call over a million
 * returns gets compiled mid-loop (on-stack replacement) before the code after it has ever run;
 * with several results to hand back, that code needs type feedback it does not have, so V8
 * bails out at the end of the loop — on every call, we measured, each call then crawling
 * through the first part of its loop unoptimised again. Many short calls instead get the block
 * function compiled normally, once, with complete feedback. Results do not depend on BLOCK:
 * the running sums are carried from block to block in index order.
 */
export const BLOCK = 4096;

/**
 * Over the non-NaN v = x[i] − shift: their count, Σv, min, max and Σmin(v, 0)² (the downside
 * of Sortino), written to `out` at the M_* slots. Every sum is in index order, so each equals
 * the straightforward loop bit for bit.
 *
 * min(v, 0) is taken without a branch, as (v − |v|)·0.5: returns go up or down at random, and
 * a branch on the sign mispredicts half the time, which costs more than the rest of the loop.
 * It is exact — v − |v| is 2v or 0, and halving 2v gives v back — except when 2v overflows or
 * v is +Infinity; min and max tell whether that can have happened, and then the downside is
 * summed again with the branch.
 */
export function moments(x: ArrayLike<number>, shift: number, out: Float64Array): void {
  out[M_COUNT] = 0;
  out[M_SUM] = 0;
  out[M_MIN] = Infinity;
  out[M_MAX] = -Infinity;
  out[M_DOWNSIDE] = 0;
  const n = x.length;
  for (let from = 0; from < n; from += BLOCK) momentsBlock(x, shift, from, Math.min(n, from + BLOCK), out);
  if (!(out[M_MIN] > -SAFE_HALF && out[M_MAX] < Infinity)) out[M_DOWNSIDE] = downsideWithBranch(x, shift);
}

function momentsBlock(x: ArrayLike<number>, shift: number, from: number, to: number, out: Float64Array): void {
  let count = out[M_COUNT];
  let sum = out[M_SUM];
  let lo = out[M_MIN];
  let hi = out[M_MAX];
  let downside = out[M_DOWNSIDE];
  for (let i = from; i < to; i++) {
    const v = x[i] - shift;
    if (v === v) {
      count++;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const m = (v - Math.abs(v)) * 0.5;
      downside += m * m;
    }
  }
  out[M_COUNT] = count;
  out[M_SUM] = sum;
  out[M_MIN] = lo;
  out[M_MAX] = hi;
  out[M_DOWNSIDE] = downside;
}

/** Below −MAX_VALUE/2, 2v overflows. */
const SAFE_HALF = Number.MAX_VALUE / 2;

function downsideWithBranch(x: ArrayLike<number>, shift: number): number {
  let downside = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - shift;
    if (v === v) downside += v > 0 ? 0 : v * v;
  }
  return downside;
}
