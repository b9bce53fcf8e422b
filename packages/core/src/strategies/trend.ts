import * as z from 'zod/mini';
import { atr, ema } from '../indicators/index.js';
import { integerBetween, numberBetween, param } from '../param-schema.js';
import type { CandleSeries, Signal, Strategy } from './types.js';

export const TrendParams = z
  .strictObject({
    htfFactor: param(integerBetween(2, 240), 4, 'base bars per higher-timeframe bar'),
    htfPeriod: param(integerBetween(2, 500), 20, 'EMA period on the higher timeframe, in HTF bars'),
    fast: param(integerBetween(2, 200), 9, 'fast EMA period on the base timeframe'),
    slow: param(integerBetween(3, 500), 21, 'slow EMA period on the base timeframe; must exceed fast'),
    atrPeriod: param(integerBetween(2, 200), 14, 'ATR period for the stop distance'),
    stopAtr: param(numberBetween(0.1, 20), 2, 'stop distance in ATRs'),
    rewardRisk: param(numberBetween(0.5, 20), 2, 'target distance as a multiple of the stop distance'),
  })
  .check(z.refine((p) => p.fast < p.slow, { error: 'fast must be shorter than slow', path: ['fast'] }));
export type TrendParams = z.infer<typeof TrendParams>;

export interface TrendState {
  close: ArrayLike<number>;
  fast: Float64Array;
  slow: Float64Array;
  atr: Float64Array;
  /** higher-timeframe direction known at base bar i: 1 up, -1 down, 0 none */
  htfDir: Int8Array;
  stopAtr: number;
  rewardRisk: number;
}

/**
 * Multi-timeframe trend following. Base bars are grouped by index into higher-timeframe bars
 * of `htfFactor` bars (group g = bars gN..gN+N-1; its close is its last bar's close). At base
 * bar i only groups completed by bar i are used — the forming one never is. The HTF trend is up
 * when the last completed HTF close is above its EMA and that EMA is rising (down: mirrored).
 * Entry: the base fast EMA crosses the slow EMA in the HTF direction, or the HTF trend turns
 * while the base EMAs already agree. Stop `stopAtr` ATRs away, target `rewardRisk` × the stop
 * distance.
 */
export const trend: Strategy<TrendParams, TrendState> = {
  id: 'trend',
  name: 'Multi-timeframe EMA trend',
  description:
    'Trades base-timeframe fast/slow EMA crosses only in the direction of a higher-timeframe EMA trend ' +
    'built from completed aggregated bars.',
  params: TrendParams,
  prepare(c: CandleSeries, p: TrendParams): TrendState {
    const n = c.length;
    const N = p.htfFactor;
    const groups = Math.floor(n / N);
    const htfClose = new Float64Array(groups);
    for (let g = 0; g < groups; g++) htfClose[g] = c.close[g * N + N - 1];
    const htfEma = ema(htfClose, p.htfPeriod);
    const htfDir = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      // last HTF bar completed at (or before) base bar i
      const g = Math.floor((i + 1) / N) - 1;
      if (g < 1) continue;
      const up = htfClose[g] > htfEma[g] && htfEma[g] > htfEma[g - 1];
      const down = htfClose[g] < htfEma[g] && htfEma[g] < htfEma[g - 1];
      htfDir[i] = up ? 1 : down ? -1 : 0;
    }
    return {
      close: c.close,
      fast: ema(c.close, p.fast),
      slow: ema(c.close, p.slow),
      atr: atr(c.high, c.low, c.close, p.atrPeriod),
      htfDir,
      stopAtr: p.stopAtr,
      rewardRisk: p.rewardRisk,
    };
  },
  signal(st: TrendState, i: number): Signal | null {
    if (i < 1) return null;
    const dir = st.htfDir[i];
    if (dir === 0) return null;
    const f = st.fast[i];
    const s = st.slow[i];
    const a = st.atr[i];
    if (!(a > 0)) return null;
    const agree = dir > 0 ? f > s : f < s;
    if (!agree) return null;
    const crossed = dir > 0 ? st.fast[i - 1] <= st.slow[i - 1] : st.fast[i - 1] >= st.slow[i - 1];
    const turned = st.htfDir[i - 1] !== dir;
    if (!crossed && !turned) return null;
    const entry = st.close[i];
    const risk = st.stopAtr * a;
    const side = dir > 0 ? 'long' : 'short';
    return {
      side,
      entry,
      stop: entry - dir * risk,
      target: entry + dir * risk * st.rewardRisk,
      // wider EMA separation (in ATRs) = stronger base trend
      confidence: Math.min(1, 0.5 + 0.5 * Math.min(1, Math.abs(f - s) / a)),
      reason:
        `${side} ${crossed ? 'EMA cross' : 'higher-timeframe trend turn'} ` +
        `with the higher-timeframe trend ${dir > 0 ? 'up' : 'down'}`,
    };
  },
};
