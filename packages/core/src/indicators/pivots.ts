import { RollingWindow } from './rolling-window.js';
import { assertPeriod, assertSameLength, outBuffer } from './validate.js';

export interface PivotsResult {
  /** high[i] where bar i is a swing high, else NaN */
  highs: Float64Array;
  /** low[i] where bar i is a swing low, else NaN */
  lows: Float64Array;
}

/**
 * Swing highs/lows (fractal pivots): bar i is a swing high when its high is STRICTLY greater
 * than the high of each of the `left` bars before and the `right` bars after it (equal highs,
 * a flat top, make no pivot); swing lows mirror it. The first `left` and last `right` bars are
 * never pivots. A pivot at bar i is only KNOWN at bar i+right: a strategy at bar t may use
 * highs[j] only for j ≤ t-right (the streaming form reports it exactly then).
 */
export function pivots(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  left = 2,
  right = left,
  out?: Partial<PivotsResult>,
): PivotsResult {
  assertPeriod('left', left);
  assertPeriod('right', right);
  const n = assertSameLength(high, low);
  const highs = outBuffer(out?.highs, n, 'out.highs');
  const lows = outBuffer(out?.lows, n, 'out.lows');
  for (let i = 0; i < n; i++) {
    highs[i] = NaN;
    lows[i] = NaN;
    if (i < left || i + right >= n) continue;
    const h = high[i];
    const l = low[i];
    let isHigh = true;
    let isLow = true;
    for (let j = i - left; j <= i + right && (isHigh || isLow); j++) {
      if (j === i) continue;
      if (high[j] >= h) isHigh = false;
      if (low[j] <= l) isLow = false;
    }
    if (isHigh) highs[i] = h;
    if (isLow) lows[i] = l;
  }
  return { highs, lows };
}

/**
 * One bar at a time. After `next` for bar t, `index` = t-right is the bar just judged and
 * `swingHigh`/`swingLow` are its pivot values (NaN when it is none) — the same numbers
 * `pivots` writes at that index. Returns true when either pivot was confirmed.
 */
export class PivotStream {
  index = -1;
  swingHigh = NaN;
  swingLow = NaN;
  private readonly left: number;
  private readonly right: number;
  private readonly highs: RollingWindow;
  private readonly lows: RollingWindow;

  constructor(left = 2, right = left) {
    assertPeriod('left', left);
    assertPeriod('right', right);
    this.left = left;
    this.right = right;
    this.highs = new RollingWindow(left + right + 1);
    this.lows = new RollingWindow(left + right + 1);
  }

  next(high: number, low: number): boolean {
    this.highs.push(high);
    const full = this.lows.push(low);
    this.index = this.lows.count - 1 - this.right;
    this.swingHigh = NaN;
    this.swingLow = NaN;
    if (!full) return false;
    const hs = this.highs.ordered();
    const ls = this.lows.ordered();
    const c = this.left;
    const h = hs[c];
    const l = ls[c];
    let isHigh = true;
    let isLow = true;
    for (let j = 0; j < hs.length && (isHigh || isLow); j++) {
      if (j === c) continue;
      if (hs[j] >= h) isHigh = false;
      if (ls[j] <= l) isLow = false;
    }
    if (isHigh) this.swingHigh = h;
    if (isLow) this.swingLow = l;
    return isHigh || isLow;
  }
}
