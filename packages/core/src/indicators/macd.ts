import { assertPeriod, outBuffer } from './validate.js';

export interface MacdResult {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

export interface MacdOptions {
  fast?: number;
  slow?: number;
  signal?: number;
}

/**
 * MACD = ema(fast) − ema(slow), both TA-Lib EMAs (computed exactly as `ema` does) seeded
 * independently, defined from index slow-1; signal = TA-Lib EMA of the MACD line (seeded with
 * the mean of its first `signal` values), defined from slow+signal-2; histogram = macd − signal.
 *
 * TA-Lib's TA_MACD differs in two details: it seeds the fast EMA at index slow-1
 * (mean of the last `fast` closes there) and hides the MACD line until the signal exists. We
 * keep macd exactly equal to ema(fast) − ema(slow) so it composes with `ema`.
 */
export function macd(values: ArrayLike<number>, options: MacdOptions = {}, out?: Partial<MacdResult>): MacdResult {
  const fast = options.fast ?? 12;
  const slow = options.slow ?? 26;
  const sig = options.signal ?? 9;
  checkMacdPeriods(fast, slow, sig);
  const n = values.length;
  const line = outBuffer(out?.macd, n, 'out.macd');
  const signal = outBuffer(out?.signal, n, 'out.signal');
  const hist = outBuffer(out?.histogram, n, 'out.histogram');
  const kf = 2 / (fast + 1);
  const ks = 2 / (slow + 1);
  const kg = 2 / (sig + 1);
  const cf = (fast - 1) / (fast + 1);
  const cs = (slow - 1) / (slow + 1);
  const cg = (sig - 1) / (sig + 1);
  let sumF = 0;
  let sumS = 0;
  let sumG = 0;
  let f = NaN;
  let s = NaN;
  let g = NaN;
  const sigStart = slow - 1 + sig - 1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (i < fast) {
      sumF += v;
      if (i === fast - 1) f = sumF / fast;
    } else {
      f = f * cf + v * kf;
    }
    if (i < slow) {
      sumS += v;
      if (i === slow - 1) s = sumS / slow;
    } else {
      s = s * cs + v * ks;
    }
    if (i < slow - 1) {
      line[i] = NaN;
      signal[i] = NaN;
      hist[i] = NaN;
      continue;
    }
    const m = f - s;
    line[i] = m;
    if (i < sigStart) {
      sumG += m;
      signal[i] = NaN;
      hist[i] = NaN;
      continue;
    }
    if (i === sigStart) {
      sumG += m;
      g = sumG / sig;
    } else {
      g = g * cg + m * kg;
    }
    signal[i] = g;
    hist[i] = m - g;
  }
  return { macd: line, signal, histogram: hist };
}

function checkMacdPeriods(fast: number, slow: number, sig: number): void {
  assertPeriod('fast', fast);
  assertPeriod('slow', slow);
  assertPeriod('signal', sig);
  if (fast >= slow) throw new RangeError(`fast (${fast}) must be shorter than slow (${slow})`);
}

/**
 * One value at a time. `next` returns the MACD line and updates `macd`, `signal` and
 * `histogram` — the same numbers `macd` writes at that index.
 */
export class MacdStream {
  macd = NaN;
  signal = NaN;
  histogram = NaN;
  private readonly fast: number;
  private readonly slow: number;
  private readonly sig: number;
  private count = 0;
  private sumF = 0;
  private sumS = 0;
  private sumG = 0;
  private f = NaN;
  private s = NaN;
  private g = NaN;

  constructor(options: MacdOptions = {}) {
    this.fast = options.fast ?? 12;
    this.slow = options.slow ?? 26;
    this.sig = options.signal ?? 9;
    checkMacdPeriods(this.fast, this.slow, this.sig);
  }

  next(v: number): number {
    const i = this.count++;
    const { fast, slow, sig } = this;
    if (i < fast) {
      this.sumF += v;
      if (i === fast - 1) this.f = this.sumF / fast;
    } else {
      this.f = this.f * ((fast - 1) / (fast + 1)) + v * (2 / (fast + 1));
    }
    if (i < slow) {
      this.sumS += v;
      if (i === slow - 1) this.s = this.sumS / slow;
    } else {
      this.s = this.s * ((slow - 1) / (slow + 1)) + v * (2 / (slow + 1));
    }
    if (i < slow - 1) return NaN;
    const m = this.f - this.s;
    this.macd = m;
    const sigStart = slow - 1 + sig - 1;
    if (i < sigStart) {
      this.sumG += m;
      return m;
    }
    if (i === sigStart) {
      this.sumG += m;
      this.g = this.sumG / sig;
    } else {
      this.g = this.g * ((sig - 1) / (sig + 1)) + m * (2 / (sig + 1));
    }
    this.signal = this.g;
    this.histogram = m - this.g;
    return m;
  }
}
