import { assertPeriod, outBuffer } from './validate.js';
import { RollingWindow } from './rolling-window.js';

/**
 * Rolling population standard deviation (divisor `period`, as TA-Lib STDDEV and Bollinger
 * Bands), first value at index period-1. Each window is computed in two passes (mean, then
 * squared deviations) rather than from running sums of squares, which lose precision when
 * prices are large and moves are small.
 */
export function stdev(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = values.length;
  const res = outBuffer(out, n);
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      res[i] = NaN;
      continue;
    }
    res[i] = windowStd(values, i - period + 1, period, windowMean(values, i - period + 1, period));
  }
  return res;
}

/** Mean of values[start .. start+period-1], summed in index order. */
export function windowMean(values: ArrayLike<number>, start: number, period: number): number {
  let s = 0;
  for (let j = 0; j < period; j++) s += values[start + j];
  return s / period;
}

/** Population standard deviation of a window around a known mean. */
export function windowStd(values: ArrayLike<number>, start: number, period: number, mean: number): number {
  let ss = 0;
  for (let j = 0; j < period; j++) {
    const d = values[start + j] - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / period);
}

/** One value at a time; `next` returns the same number `stdev` writes at that index. */
export class StdevStream {
  private readonly win: RollingWindow;

  constructor(period: number) {
    assertPeriod('period', period);
    this.win = new RollingWindow(period);
  }

  next(value: number): number {
    if (!this.win.push(value)) return NaN;
    const w = this.win.ordered();
    const p = this.win.size;
    return windowStd(w, 0, p, windowMean(w, 0, p));
  }
}
