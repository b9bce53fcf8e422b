import { assertPeriod, outBuffer } from './validate.js';

/**
 * Relative strength index, TA-Lib RSI (Wilder): the first average gain/loss is the plain mean
 * of the first `period` changes, so the first value is at index `period`; afterwards
 * avg = (avg·(period-1) + x) / period. RSI = 100·avgGain / (avgGain + avgLoss).
 * A window with no movement at all (avgGain + avgLoss = 0) gives 50; TA-Lib gives 0 there.
 */
export function rsi(values: ArrayLike<number>, period = 14, out?: Float64Array): Float64Array {
  assertPeriod('period', period);
  const n = values.length;
  const res = outBuffer(out, n);
  if (n <= period) {
    res.fill(NaN);
    return res;
  }
  res[0] = NaN;
  let gain = 0;
  let loss = 0;
  let prevValue = values[0];
  for (let i = 1; i <= period; i++) {
    const v = values[i];
    const d = v - prevValue;
    prevValue = v;
    if (d > 0) gain += d;
    else loss -= d;
    if (i < period) res[i] = NaN;
  }
  gain /= period;
  loss /= period;
  let total = gain + loss;
  res[period] = total === 0 ? 50 : (100 * gain) / total;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    const v = values[i];
    const d = v - prevValue;
    prevValue = v;
    if (d > 0) {
      gain = (gain * m + d) / period;
      loss = (loss * m) / period;
    } else {
      gain = (gain * m) / period;
      loss = (loss * m - d) / period;
    }
    total = gain + loss;
    res[i] = total === 0 ? 50 : (100 * gain) / total;
  }
  return res;
}

/** One value at a time; `next` returns the same number `rsi` writes at that index. */
export class RsiStream {
  readonly period: number;
  private count = 0;
  private prevValue = NaN;
  private gain = 0;
  private loss = 0;

  constructor(period = 14) {
    assertPeriod('period', period);
    this.period = period;
  }

  next(value: number): number {
    const p = this.period;
    const c = this.count++;
    const d = value - this.prevValue;
    this.prevValue = value;
    if (c === 0) return NaN;
    if (c < p) {
      if (d > 0) this.gain += d;
      else this.loss -= d;
      return NaN;
    }
    if (c === p) {
      if (d > 0) this.gain += d;
      else this.loss -= d;
      this.gain /= p;
      this.loss /= p;
    } else if (d > 0) {
      this.gain = (this.gain * (p - 1) + d) / p;
      this.loss = (this.loss * (p - 1)) / p;
    } else {
      this.gain = (this.gain * (p - 1)) / p;
      this.loss = (this.loss * (p - 1) - d) / p;
    }
    const total = this.gain + this.loss;
    return total === 0 ? 50 : (100 * this.gain) / total;
  }
}
