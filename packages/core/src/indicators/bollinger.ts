import { RollingWindow } from './rolling-window.js';
import { windowMean, windowStd } from './stdev.js';
import { assertPeriod, outBuffer } from './validate.js';

export interface BollingerResult {
  middle: Float64Array;
  upper: Float64Array;
  lower: Float64Array;
}

/**
 * Bollinger Bands: middle = mean of the last `period` values, bands = middle ± mult·σ with the
 * population σ (TA-Lib BBANDS with an SMA). First value at index period-1.
 */
export function bollinger(
  values: ArrayLike<number>,
  period = 20,
  mult = 2,
  out?: Partial<BollingerResult>,
): BollingerResult {
  assertPeriod('period', period);
  assertMult(mult);
  const n = values.length;
  const middle = outBuffer(out?.middle, n, 'out.middle');
  const upper = outBuffer(out?.upper, n, 'out.upper');
  const lower = outBuffer(out?.lower, n, 'out.lower');
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      middle[i] = NaN;
      upper[i] = NaN;
      lower[i] = NaN;
      continue;
    }
    const start = i - period + 1;
    const mean = windowMean(values, start, period);
    const dev = mult * windowStd(values, start, period, mean);
    middle[i] = mean;
    upper[i] = mean + dev;
    lower[i] = mean - dev;
  }
  return { middle, upper, lower };
}

function assertMult(mult: number): void {
  if (!Number.isFinite(mult) || mult < 0) throw new RangeError(`mult must be a finite number >= 0, got ${mult}`);
}

/** One value at a time: `next` returns the middle band and updates `upper`/`lower`. */
export class BollingerStream {
  middle = NaN;
  upper = NaN;
  lower = NaN;
  private readonly win: RollingWindow;
  private readonly mult: number;

  constructor(period = 20, mult = 2) {
    assertPeriod('period', period);
    assertMult(mult);
    this.win = new RollingWindow(period);
    this.mult = mult;
  }

  next(value: number): number {
    if (!this.win.push(value)) return NaN;
    const w = this.win.ordered();
    const p = this.win.size;
    const mean = windowMean(w, 0, p);
    const dev = this.mult * windowStd(w, 0, p, mean);
    this.middle = mean;
    this.upper = mean + dev;
    this.lower = mean - dev;
    return mean;
  }
}
