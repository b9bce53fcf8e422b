import { RollingWindow } from './rolling-window.js';
import { assertPeriod, assertSameLength, outBuffer } from './validate.js';

/**
 * Volume-weighted average price of the typical price (high+low+close)/3.
 * Without `period`: cumulative from bar 0 (anchor a session by slicing the inputs at the
 * session's first bar). With `period`: over the last `period` bars, first value at period-1.
 * Where the volume in the window is 0 the result is NaN.
 */
export function vwap(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  volume: ArrayLike<number>,
  period?: number,
  out?: Float64Array,
): Float64Array {
  if (period !== undefined) assertPeriod('period', period);
  const n = assertSameLength(high, low, close, volume);
  const res = outBuffer(out, n);
  if (period === undefined) {
    let pv = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const vol = volume[i];
      pv += ((high[i] + low[i] + close[i]) / 3) * vol;
      v += vol;
      res[i] = v === 0 ? NaN : pv / v;
    }
    return res;
  }
  for (let i = 0; i < n; i++) {
    if (i < period - 1) {
      res[i] = NaN;
      continue;
    }
    let pv = 0;
    let v = 0;
    for (let j = i - period + 1; j <= i; j++) {
      const vol = volume[j];
      pv += ((high[j] + low[j] + close[j]) / 3) * vol;
      v += vol;
    }
    res[i] = v === 0 ? NaN : pv / v;
  }
  return res;
}

/** One bar at a time; `next` returns the same number `vwap` writes at that index. */
export class VwapStream {
  private readonly pvWin: RollingWindow | undefined;
  private readonly vWin: RollingWindow | undefined;
  private pv = 0;
  private v = 0;

  constructor(period?: number) {
    if (period !== undefined) {
      assertPeriod('period', period);
      this.pvWin = new RollingWindow(period);
      this.vWin = new RollingWindow(period);
    }
  }

  next(high: number, low: number, close: number, volume: number): number {
    const tpv = ((high + low + close) / 3) * volume;
    if (this.pvWin === undefined || this.vWin === undefined) {
      this.pv += tpv;
      this.v += volume;
      return this.v === 0 ? NaN : this.pv / this.v;
    }
    this.pvWin.push(tpv);
    if (!this.vWin.push(volume)) return NaN;
    const a = this.pvWin.ordered();
    const b = this.vWin.ordered();
    let pv = 0;
    let v = 0;
    for (let j = 0; j < a.length; j++) {
      pv += a[j];
      v += b[j];
    }
    return v === 0 ? NaN : pv / v;
  }
}
