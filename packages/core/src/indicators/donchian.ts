import { RollingWindow } from './rolling-window.js';
import { assertPeriod, assertSameLength, outBuffer } from './validate.js';

export interface DonchianResult {
  upper: Float64Array;
  lower: Float64Array;
  middle: Float64Array;
}

/**
 * Donchian channel: highest high and lowest low of the last `period` bars INCLUDING the current
 * one (TA-Lib MAX/MIN), middle = (upper+lower)/2, first value at index period-1. A breakout
 * test must compare the current close with the previous bar's channel.
 */
export function donchian(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  period = 20,
  out?: Partial<DonchianResult>,
): DonchianResult {
  assertPeriod('period', period);
  const n = assertSameLength(high, low);
  const upper = outBuffer(out?.upper, n, 'out.upper');
  const lower = outBuffer(out?.lower, n, 'out.lower');
  const middle = outBuffer(out?.middle, n, 'out.middle');
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      upper[i] = NaN;
      lower[i] = NaN;
      middle[i] = NaN;
      continue;
    }
    let hi = -Infinity;
    let lo = Infinity;
    for (let j = i - period + 1; j <= i; j++) {
      if (high[j] > hi) hi = high[j];
      if (low[j] < lo) lo = low[j];
    }
    upper[i] = hi;
    lower[i] = lo;
    middle[i] = (hi + lo) / 2;
  }
  return { upper, lower, middle };
}

/** One bar at a time: `next` returns the middle line and updates `upper`/`lower`. */
export class DonchianStream {
  upper = NaN;
  lower = NaN;
  middle = NaN;
  private readonly highs: RollingWindow;
  private readonly lows: RollingWindow;

  constructor(period = 20) {
    assertPeriod('period', period);
    this.highs = new RollingWindow(period);
    this.lows = new RollingWindow(period);
  }

  next(high: number, low: number): number {
    this.highs.push(high);
    if (!this.lows.push(low)) return NaN;
    const h = this.highs.ordered();
    const l = this.lows.ordered();
    let hi = -Infinity;
    let lo = Infinity;
    for (let j = 0; j < h.length; j++) {
      if (h[j] > hi) hi = h[j];
      if (l[j] < lo) lo = l[j];
    }
    this.upper = hi;
    this.lower = lo;
    this.middle = (hi + lo) / 2;
    return this.middle;
  }
}
