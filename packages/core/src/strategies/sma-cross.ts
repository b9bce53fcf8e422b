import * as z from 'zod/mini';
import { integerBetween, numberBetween, param } from '../param-schema.js';
import type { CandleSeries, Signal, Strategy } from './types.js';

export const SmaCrossParams = z
  .strictObject({
    fast: param(integerBetween(2, 500), 10, 'fast SMA period, bars'),
    slow: param(integerBetween(3, 2000), 30, 'slow SMA period, bars; must exceed fast'),
    stopPct: param(numberBetween(0, 0.5), 0, 'stop distance as a fraction of entry; 0 = no stop'),
    targetPct: param(numberBetween(0, 5), 0, 'target distance as a fraction of entry; 0 = no target'),
  })
  .check(z.refine((p) => p.fast < p.slow, { error: 'fast must be shorter than slow', path: ['fast'] }));
export type SmaCrossParams = z.infer<typeof SmaCrossParams>;

export interface SmaCrossState {
  close: ArrayLike<number>;
  /**
   * At each bar: 1 where SMA(fast) crosses above SMA(slow) (spread = fast − slow > 0 now, ≤ 0 at
   * the bar before), −1 where it crosses below, else 0 (and 0 until both averages exist at the
   * bar before). The crossings are all `signal` needs: one byte a bar instead of 8 for the
   * spread, which at millions of bars is memory to fill and to read back.
   */
  cross: Int8Array;
  stopPct: number;
  targetPct: number;
}

/** Baseline: long when the fast SMA crosses above the slow one, short when it crosses below. */
export const smaCross: Strategy<SmaCrossParams, SmaCrossState> = {
  id: 'smaCross',
  name: 'SMA crossover',
  description: 'Baseline: fast/slow simple moving average crossover, long on a cross up, short on a cross down.',
  params: SmaCrossParams,
  prepare(candles: CandleSeries, p: SmaCrossParams): SmaCrossState {
    const close = candles.close;
    const cross = new Int8Array(candles.length);
    fillCross(close, p.fast, p.slow, cross);
    return {
      close,
      cross,
      stopPct: p.stopPct,
      targetPct: p.targetPct,
    };
  },
  signal(st: SmaCrossState, i: number): Signal | null {
    if (i < 1) return null;
    const x = st.cross[i];
    if (x === 0) return null;
    const up = x > 0;
    const entry = st.close[i];
    const dir = up ? 1 : -1;
    return {
      side: up ? 'long' : 'short',
      entry,
      stop: st.stopPct > 0 ? entry * (1 - dir * st.stopPct) : null,
      target: st.targetPct > 0 ? entry * (1 + dir * st.targetPct) : null,
      confidence: 0.5,
      reason: up ? 'fast SMA crossed above slow SMA' : 'fast SMA crossed below slow SMA',
    };
  },
};

/**
 * cross[i] as SmaCrossState describes it, from spread = SMA(fast) − SMA(slow), which is NaN
 * before index slow − 1 (so every comparison is false there: no cross until both averages exist
 * at i − 1). Both averages are the running sums of the batch `sma` (add the new close, emit
 * sum / period, drop the oldest), the same numbers `sma` and `SmaStream` give, kept in two locals
 * over one pass instead of two stream objects with ring buffers: the closes are at hand, so the
 * oldest value is read back. A function of its own with nothing after its loop, so V8 compiles it
 * once for every run.
 */
function fillCross(close: ArrayLike<number>, fast: number, slow: number, cross: Int8Array): void {
  const n = cross.length;
  const fw = fast - 1;
  const sw = slow - 1;
  const warm = Math.min(sw, n);
  let fs = 0;
  let ss = 0;
  // warm-up (slow > fast): no spread yet, but the fast sum starts sliding at index fast − 1;
  // cross[] is already 0 there
  for (let i = 0; i < warm; i++) {
    fs += close[i];
    ss += close[i];
    if (i >= fw) fs -= close[i - fw];
  }
  let prev = NaN;
  for (let i = warm; i < n; i++) {
    const c = close[i];
    fs += c;
    ss += c;
    const d = fs / fast - ss / slow;
    cross[i] = d > 0 && prev <= 0 ? 1 : d < 0 && prev >= 0 ? -1 : 0;
    prev = d;
    fs -= close[i - fw];
    ss -= close[i - sw];
  }
}
