import { RollingWindow } from './rolling-window.js';
import { assertPeriod, outBuffer } from './validate.js';

export interface LinearRegressionResult {
  /** fitted value at the newest bar of the window (TA-Lib LINEARREG) */
  value: Float64Array;
  /** slope per bar (TA-Lib LINEARREG_SLOPE) */
  slope: Float64Array;
  /** fitted value at the oldest bar of the window (TA-Lib LINEARREG_INTERCEPT) */
  intercept: Float64Array;
}

/**
 * Rolling least-squares line over the last `period` values (x = 0 for the oldest bar,
 * period-1 for the newest), first value at index period-1; period ≥ 2.
 */
export function linearRegression(
  values: ArrayLike<number>,
  period: number,
  out?: Partial<LinearRegressionResult>,
): LinearRegressionResult {
  assertPeriod('period', period, 2);
  const n = values.length;
  const value = outBuffer(out?.value, n, 'out.value');
  const slope = outBuffer(out?.slope, n, 'out.slope');
  const intercept = outBuffer(out?.intercept, n, 'out.intercept');
  const sx = (period * (period - 1)) / 2;
  const denom = (period * ((period - 1) * period * (2 * period - 1))) / 6 - sx * sx;
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      value[i] = NaN;
      slope[i] = NaN;
      intercept[i] = NaN;
      continue;
    }
    const start = i - period + 1;
    let sy = 0;
    let sxy = 0;
    for (let j = 0; j < period; j++) {
      const y = values[start + j];
      sy += y;
      sxy += j * y;
    }
    const m = (period * sxy - sx * sy) / denom;
    const b = (sy - m * sx) / period;
    slope[i] = m;
    intercept[i] = b;
    value[i] = b + m * (period - 1);
  }
  return { value, slope, intercept };
}

/** One value at a time: `next` returns the fitted newest value and updates `slope`/`intercept`. */
export class LinearRegressionStream {
  value = NaN;
  slope = NaN;
  intercept = NaN;
  private readonly win: RollingWindow;
  private readonly sx: number;
  private readonly denom: number;

  constructor(period: number) {
    assertPeriod('period', period, 2);
    this.win = new RollingWindow(period);
    this.sx = (period * (period - 1)) / 2;
    this.denom = (period * ((period - 1) * period * (2 * period - 1))) / 6 - this.sx * this.sx;
  }

  next(v: number): number {
    if (!this.win.push(v)) return NaN;
    const w = this.win.ordered();
    const p = this.win.size;
    let sy = 0;
    let sxy = 0;
    for (let j = 0; j < p; j++) {
      sy += w[j];
      sxy += j * w[j];
    }
    const m = (p * sxy - this.sx * sy) / this.denom;
    const b = (sy - m * this.sx) / p;
    this.slope = m;
    this.intercept = b;
    this.value = b + m * (p - 1);
    return this.value;
  }
}

export interface LineFit {
  slope: number;
  intercept: number;
  /** coefficient of determination; 1 when every y is equal (a flat line fits exactly) */
  r2: number;
}

/**
 * Ordinary least-squares line y = intercept + slope·x through arbitrary points, e.g. a
 * trendline through swing lows (x = bar index or time). Needs ≥ 2 points with distinct x.
 */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`x and y must have equal lengths (${n} vs ${y.length})`);
  if (n < 2) throw new RangeError('fitLine needs at least 2 points');
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError('fitLine needs at least 2 distinct x values');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2 };
}
