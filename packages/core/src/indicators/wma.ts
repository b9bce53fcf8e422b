import { assertPeriod, outBuffer } from './validate.js';

/**
 * Linearly weighted moving average, TA-Lib WMA: weights 1…period (newest heaviest), divisor
 * period·(period+1)/2, first value at index period-1. Each window is summed afresh (O(period)),
 * which keeps it free of running-sum drift and identical to the streaming form.
 */
export function wma(values: ArrayLike<number>, period: number, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = values.length;
  const res = outBuffer(out, n);
  const div = (period * (period + 1)) / 2;
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      res[i] = NaN;
      continue;
    }
    const start = i - period + 1;
    let s = 0;
    for (let j = 0; j < period; j++) s += values[start + j] * (j + 1);
    res[i] = s / div;
  }
  return res;
}

/** One value at a time; `next` returns the same number `wma` writes at that index. */
export class WmaStream {
  readonly period: number;
  private readonly buf: Float64Array;
  private readonly div: number;
  private head = 0;
  private count = 0;

  constructor(period: number) {
    assertPeriod('period', period);
    this.period = period;
    this.buf = new Float64Array(period);
    this.div = (period * (period + 1)) / 2;
  }

  next(value: number): number {
    const p = this.period;
    this.buf[this.head] = value;
    this.head = this.head + 1 === p ? 0 : this.head + 1;
    if (++this.count < p) return NaN;
    let s = 0;
    let idx = this.head; // oldest
    for (let j = 0; j < p; j++) {
      s += this.buf[idx] * (j + 1);
      idx = idx + 1 === p ? 0 : idx + 1;
    }
    return s / this.div;
  }
}
