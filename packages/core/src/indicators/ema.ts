import { assertPeriod, outBuffer } from './validate.js';

/**
 * Exponential moving average, TA-Lib EMA: k = 2/(period+1), seeded with the SMA of the first
 * `period` values, first value at index period-1, then prev·(1−k) + x·k. (TA-Lib writes the
 * same recurrence as prev + (x−prev)·k; this form keeps only one multiply-add on the
 * loop-carried chain, ~1.5× faster, and differs from it in the last bits only.)
 */
export function ema(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = values.length;
  const res = outBuffer(out, n);
  if (n < period) {
    res.fill(NaN);
    return res;
  }
  const k = 2 / (period + 1);
  const c = (period - 1) / (period + 1);
  let sum = 0;
  for (let i = 0; i < period - 1; i++) {
    sum += values[i];
    res[i] = NaN;
  }
  sum += values[period - 1];
  let prev = sum / period;
  res[period - 1] = prev;
  for (let i = period; i < n; i++) {
    prev = prev * c + values[i] * k;
    res[i] = prev;
  }
  return res;
}

/** One value at a time; `next` returns the same number `ema` writes at that index. */
export class EmaStream {
  readonly period: number;
  private readonly k: number;
  private readonly c: number;
  private count = 0;
  private sum = 0;
  private prev = NaN;

  constructor(period: number) {
    assertPeriod('period', period);
    this.period = period;
    this.k = 2 / (period + 1);
    this.c = (period - 1) / (period + 1);
  }

  next(value: number): number {
    if (this.count >= this.period) {
      this.prev = this.prev * this.c + value * this.k;
      return this.prev;
    }
    this.sum += value;
    if (++this.count < this.period) return NaN;
    this.prev = this.sum / this.period;
    return this.prev;
  }
}
