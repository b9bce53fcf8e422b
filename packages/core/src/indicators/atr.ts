import { assertPeriod, assertSameLength, outBuffer } from './validate.js';

/**
 * True range: max(high-low, |high-prevClose|, |low-prevClose|); TR[0] = high[0]-low[0]
 * because bar 0 has no previous close.
 */
export function trueRange(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  out?: Float64Array,
): Float64Array {
  const n = assertSameLength(high, low, close);
  const res = outBuffer(out, n);
  if (n === 0) return res;
  res[0] = high[0] - low[0];
  for (let i = 1; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const pc = close[i - 1];
    let tr = h - l;
    const a = h > pc ? h - pc : pc - h;
    if (a > tr) tr = a;
    const b = l > pc ? l - pc : pc - l;
    if (b > tr) tr = b;
    res[i] = tr;
  }
  return res;
}

/**
 * Average true range, TA-Lib ATR (Wilder): TR[0] is not used (it has no previous close);
 * the first ATR, at index `period`, is the mean of TR[1..period]; afterwards
 * ATR = (ATR·(period-1) + TR) / period.
 */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
  out?: Float64Array,
): Float64Array {
  assertPeriod('period', period);
  const n = assertSameLength(high, low, close);
  const res = outBuffer(out, n);
  if (n <= period) {
    res.fill(NaN);
    return res;
  }
  res[0] = NaN;
  let sum = 0;
  let pc = close[0];
  for (let i = 1; i <= period; i++) {
    const h = high[i];
    const l = low[i];
    let tr = h - l;
    const a = h > pc ? h - pc : pc - h;
    if (a > tr) tr = a;
    const b = l > pc ? l - pc : pc - l;
    if (b > tr) tr = b;
    sum += tr;
    pc = close[i];
    if (i < period) res[i] = NaN;
  }
  let prev = sum / period;
  res[period] = prev;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    const h = high[i];
    const l = low[i];
    let tr = h - l;
    const a = h > pc ? h - pc : pc - h;
    if (a > tr) tr = a;
    const b = l > pc ? l - pc : pc - l;
    if (b > tr) tr = b;
    pc = close[i];
    prev = (prev * m + tr) / period;
    res[i] = prev;
  }
  return res;
}

/** One bar at a time; `next` returns the same number `atr` writes at that index. */
export class AtrStream {
  readonly period: number;
  private count = 0;
  private prevClose = NaN;
  private sum = 0;
  private prev = NaN;

  constructor(period = 14) {
    assertPeriod('period', period);
    this.period = period;
  }

  next(high: number, low: number, close: number): number {
    const p = this.period;
    const c = this.count++;
    const pc = this.prevClose;
    this.prevClose = close;
    if (c === 0) return NaN;
    let tr = high - low;
    const a = high > pc ? high - pc : pc - high;
    if (a > tr) tr = a;
    const b = low > pc ? low - pc : pc - low;
    if (b > tr) tr = b;
    if (c < p) {
      this.sum += tr;
      return NaN;
    }
    if (c === p) {
      this.sum += tr;
      this.prev = this.sum / p;
    } else {
      this.prev = (this.prev * (p - 1) + tr) / p;
    }
    return this.prev;
  }
}
