/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013): picks `threshold` of the points of a
 * series so its plotted shape survives. The first and last points are always kept; every bucket
 * between them gives the point forming the largest triangle with the point kept before it and
 * the mean of the next bucket. Returns indices, increasing. A series of `threshold` points or
 * fewer (or a threshold below 3, where there are no buckets) comes back whole.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number[] {
  const n = y.length;
  if (x.length !== n) throw new RangeError(`x has ${x.length} values, y has ${n}`);
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const out = [0];
  const every = (n - 2) / (threshold - 2);
  let kept = 0;
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    // the mean of the next bucket (the last point, for the last bucket)
    const nextStart = Math.floor((bucket + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * every) + 1, n);
    let meanX = 0;
    let meanY = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      meanX += x[i];
      meanY += y[i];
    }
    const size = nextEnd - nextStart;
    meanX /= size;
    meanY /= size;
    const from = Math.floor(bucket * every) + 1;
    const to = Math.floor((bucket + 1) * every) + 1;
    const ax = x[kept];
    const ay = y[kept];
    let best = from;
    let bestArea = -1;
    for (let i = from; i < to; i++) {
      // twice the triangle's area; the factor does not change which is largest
      const area = Math.abs((ax - meanX) * (y[i] - ay) - (ax - x[i]) * (meanY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    out.push(best);
    kept = best;
  }
  out.push(n - 1);
  return out;
}

/** Index of the first largest (`sign` 1) or smallest (`sign` −1) value; NaN never wins. */
function extremeIndex(values: ArrayLike<number>, sign: 1 | -1): number {
  let at = 0;
  for (let i = 1; i < values.length; i++) if (sign * values[i] > sign * values[at]) at = i;
  return at;
}

/** The fewest points a downsampled curve may be asked for: first, last and the three extremes. */
export const MIN_CURVE_POINTS = 5;

/**
 * Which points of an equity curve (and its drawdown curve) to show in at most `maxPoints`: LTTB on
 * the equity over time, plus — always — the first and last points, the equity's global maximum
 * and minimum and the drawdown's global minimum (the deepest fall), which LTTB alone may drop.
 * LTTB runs with as many fewer points as extremes it has to add, so the union stays within
 * `maxPoints`. Indices increasing; a curve of `maxPoints` points or fewer comes back whole.
 */
export function downsampleCurve(
  time: ArrayLike<number>,
  equity: ArrayLike<number>,
  drawdown: ArrayLike<number>,
  maxPoints: number,
): number[] {
  const n = equity.length;
  if (time.length !== n || drawdown.length !== n) {
    throw new RangeError(`time, equity and drawdown differ in length (${time.length}, ${n}, ${drawdown.length})`);
  }
  if (!Number.isInteger(maxPoints) || maxPoints < MIN_CURVE_POINTS) {
    throw new RangeError(`maxPoints must be an integer ≥ ${MIN_CURVE_POINTS}, not ${maxPoints}`);
  }
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  // first and last are LTTB's own; the extremes are added to what it picks
  const extremes = [...new Set([extremeIndex(equity, 1), extremeIndex(equity, -1), extremeIndex(drawdown, -1)])];
  const picked = new Set(lttbIndices(time, equity, maxPoints - extremes.length));
  for (const i of extremes) picked.add(i);
  return [...picked].sort((a, b) => a - b);
}
