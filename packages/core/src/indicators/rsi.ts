import { assertPeriod, outBuffer } from './validate.js';

/**
 * Relative strength index, TA-Lib RSI (Wilder): the first average gain/loss is the plain mean
 * of the first `period` changes, so the first value is at index `period`; afterwards
 * avg = avg·(period-1)/period + x/period (TA-Lib's (avg·(period-1) + x)/period, evaluated
 * without a division on the loop-carried chain; they differ in the last bits only).
 * RSI = 100·avgGain / (avgGain + avgLoss). A window with no movement at all
 * (avgGain + avgLoss = 0) gives 50; TA-Lib gives 0 there.
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
  const keep = (period - 1) / period;
  const half = 0.5 / period;
  for (let i = period + 1; i < n; i++) {
    const v = values[i];
    const d = v - prevValue;
    prevValue = v;
    // (d + |d|)·½ is exactly max(d, 0) and (|d| − d)·½ exactly max(−d, 0), without a branch
    // the CPU would mispredict on every other bar
    const a = Math.abs(d);
    gain = gain * keep + (d + a) * half;
    loss = loss * keep + (a - d) * half;
    total = gain + loss;
    res[i] = total === 0 ? 50 : (100 * gain) / total;
  }
  return res;
}

/** One value at a time; `next` returns the same number `rsi` writes at that index. */
export class RsiStream {
  readonly period: number;
  private readonly keep: number;
  private readonly half: number;
  private count = 0;
  private prevValue = NaN;
  private gain = 0;
  private loss = 0;

  constructor(period = 14) {
    assertPeriod('period', period);
    this.period = period;
    this.keep = (period - 1) / period;
    this.half = 0.5 / period;
  }

  next(value: number): number {
    const p = this.period;
    const c = this.count++;
    const d = value - this.prevValue;
    this.prevValue = value;
    if (c === 0) return NaN;
    if (c <= p) {
      if (d > 0) this.gain += d;
      else this.loss -= d;
      if (c < p) return NaN;
      this.gain /= p;
      this.loss /= p;
    } else {
      const a = Math.abs(d);
      this.gain = this.gain * this.keep + (d + a) * this.half;
      this.loss = this.loss * this.keep + (a - d) * this.half;
    }
    const total = this.gain + this.loss;
    return total === 0 ? 50 : (100 * this.gain) / total;
  }
}
