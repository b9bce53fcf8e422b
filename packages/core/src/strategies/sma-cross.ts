import * as z from 'zod';
import type { CandleSeries, Signal, Strategy } from './types.js';

export const SmaCrossParams = z
  .strictObject({
    fast: z.number().int().min(2).max(500).default(10).describe('fast SMA period, bars'),
    slow: z.number().int().min(3).max(2000).default(30).describe('slow SMA period, bars; must exceed fast'),
    stopPct: z.number().min(0).max(0.5).default(0).describe('stop distance as a fraction of entry; 0 = no stop'),
    targetPct: z.number().min(0).max(5).default(0).describe('target distance as a fraction of entry; 0 = no target'),
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });
export type SmaCrossParams = z.infer<typeof SmaCrossParams>;

export interface SmaCrossState {
  close: ArrayLike<number>;
  /** SMA(fast) − SMA(slow) at each bar, NaN until both exist: its sign change is the cross */
  spread: Float64Array;
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
    // One array for both averages: half the memory of keeping them, which matters at millions of bars.
    const close = candles.close;
    const spread = new Float64Array(candles.length);
    fillSpread(close, p.fast, p.slow, spread);
    return {
      close,
      spread,
      stopPct: p.stopPct,
      targetPct: p.targetPct,
    };
  },
  signal(st: SmaCrossState, i: number): Signal | null {
    if (i < 1) return null;
    const d = st.spread[i];
    const dp = st.spread[i - 1];
    // NaN during warm-up makes every comparison false: no signal until both SMAs exist at i-1.
    const up = d > 0 && dp <= 0;
    const down = d < 0 && dp >= 0;
    if (!up && !down) return null;
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
 * spread[i] = SMA(fast) − SMA(slow) at i, NaN before index slow − 1. Both averages are the
 * running sums of the batch `sma` (add the new close, emit sum / period, drop the oldest), the
 * same numbers `sma` and `SmaStream` give, kept in two locals over one pass instead of two
 * stream objects with ring buffers: the closes are at hand, so the oldest value is read back.
 * A function of its own with nothing after its loop, so V8 compiles it once for every run.
 */
function fillSpread(close: ArrayLike<number>, fast: number, slow: number, spread: Float64Array): void {
  const n = spread.length;
  const fw = fast - 1;
  const sw = slow - 1;
  const warm = Math.min(sw, n);
  let fs = 0;
  let ss = 0;
  // warm-up (slow > fast): no spread yet, but the fast sum starts sliding at index fast − 1
  for (let i = 0; i < warm; i++) {
    const c = close[i];
    fs += c;
    ss += c;
    if (i >= fw) fs -= close[i - fw];
    spread[i] = NaN;
  }
  for (let i = warm; i < n; i++) {
    const c = close[i];
    fs += c;
    ss += c;
    spread[i] = fs / fast - ss / slow;
    fs -= close[i - fw];
    ss -= close[i - sw];
  }
}
