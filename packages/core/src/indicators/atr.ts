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
    const a = Math.abs(h - pc);
    if (a > tr) tr = a;
    const b = Math.abs(l - pc);
    if (b > tr) tr = b;
    res[i] = tr;
  }
  return res;
}

/**
 * Average true range, TA-Lib ATR (Wilder): TR[0] is not used (it has no previous close);
 * the first ATR, at index `period`, is the mean of TR[1..period]; afterwards
 * ATR = ATR·(period-1)/period + TR/period (TA-Lib's (ATR·(period-1) + TR)/period without a
 * division on the loop-carried chain — about 2.5× faster; equal up to the last bits).
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
    const a = Math.abs(h - pc);
    if (a > tr) tr = a;
    const b = Math.abs(l - pc);
    if (b > tr) tr = b;
    sum += tr;
    pc = close[i];
    if (i < period) res[i] = NaN;
  }
  let prev = sum / period;
  res[period] = prev;
  const keep = (period - 1) / period;
  const inv = 1 / period;
  for (let i = period + 1; i < n; i++) {
    const h = high[i];
    const l = low[i];
    let tr = h - l;
    // Math.abs is branch-free; a `h > pc ? …` ternary mispredicts on real data
    const a = Math.abs(h - pc);
    if (a > tr) tr = a;
    const b = Math.abs(l - pc);
    if (b > tr) tr = b;
    pc = close[i];
    prev = prev * keep + tr * inv;
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
  private readonly keep: number;
  private readonly inv: number;

  constructor(period = 14) {
    assertPeriod('period', period);
    this.period = period;
    this.keep = (period - 1) / period;
    this.inv = 1 / period;
  }

  next(high: number, low: number, close: number): number {
    const p = this.period;
    const c = this.count++;
    const pc = this.prevClose;
    this.prevClose = close;
    if (c === 0) return NaN;
    let tr = high - low;
    const a = Math.abs(high - pc);
    if (a > tr) tr = a;
    const b = Math.abs(low - pc);
    if (b > tr) tr = b;
    if (c < p) {
      this.sum += tr;
      return NaN;
    }
    if (c === p) {
      this.sum += tr;
      this.prev = this.sum / p;
    } else {
      this.prev = this.prev * this.keep + tr * this.inv;
    }
    return this.prev;
  }
}
