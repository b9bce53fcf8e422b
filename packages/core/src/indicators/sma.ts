import { assertPeriod, outBuffer } from './validate.js';

/**
 * Simple moving average, TA-Lib SMA: first value at index period-1. A running sum is kept
 * (add the new value, emit, subtract the oldest) exactly as TA-Lib does, so it is O(n).
 */
export function sma(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = values.length;
  const res = outBuffer(out, n);
  const warm = period - 1;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i];
    if (i < warm) {
      res[i] = NaN;
    } else {
      res[i] = sum / period;
      sum -= values[i - warm];
    }
  }
  return res;
}

/** One value at a time; `next` returns the same number `sma` writes at that index. */
export class SmaStream {
  readonly period: number;
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;
  private sum = 0;

  constructor(period: number) {
    assertPeriod('period', period);
    this.period = period;
    this.buf = new Float64Array(period);
  }

  next(value: number): number {
    this.sum += value;
    this.buf[this.head] = value;
    this.head = this.head + 1 === this.period ? 0 : this.head + 1;
    if (++this.count < this.period) return NaN;
    const r = this.sum / this.period;
    // after the write, `head` points at the oldest value of the full window
    this.sum -= this.buf[this.head];
    return r;
  }
}
