import * as z from 'zod/mini';
import { atr, fibonacciLevels, fitLine, pivots } from '../indicators/index.js';
import { integerBetween, numberBetween, param } from '../param-schema.js';
import type { CandleSeries, Signal, Strategy } from './types.js';

export const ConfluenceParams = z.strictObject({
  pivotLeft: param(integerBetween(1, 20), 3, 'bars left of a swing point'),
  pivotRight: param(integerBetween(1, 20), 3, 'bars right of a swing point; a swing is known only after them'),
  trendPoints: param(integerBetween(2, 10), 3, 'swing points the trendline is fitted through'),
  ratios: param(
    z.array(z.number().check(z.gt(0), z.lt(1))).check(z.minLength(1), z.maxLength(8)),
    [0.382, 0.5, 0.618],
    'Fibonacci retracement ratios of the last swing',
  ),
  toleranceAtr: param(numberBetween(0, 5), 0.5, 'trendline and Fibonacci level coincide within this many ATRs'),
  atrPeriod: param(integerBetween(2, 200), 14, 'ATR period (Wilder) for stop buffers and tolerances'),
  stopAtr: param(numberBetween(0.1, 10), 1, 'stop beyond the confluence price, in ATRs'),
  minRewardRisk: param(
    numberBetween(0, 20),
    1,
    'skip setups whose target (the swing extreme) pays less than this × risk',
  ),
});
export type ConfluenceParams = z.infer<typeof ConfluenceParams>;

export interface ConfluenceState {
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  atr: Float64Array;
  /** last confirmed swing high/low known at bar i, with the bar it occurred at (-1 none) */
  swingHigh: Float64Array;
  swingHighAt: Int32Array;
  swingLow: Float64Array;
  swingLowAt: Int32Array;
  /** trendline through the last trendPoints swing lows (support) / highs (resistance), evaluated at bar i */
  support: Float64Array;
  supportSlope: Float64Array;
  resistance: Float64Array;
  resistanceSlope: Float64Array;
  p: ConfluenceParams;
}

/**
 * Trendline + Fibonacci confluence. Swing points come from `pivots` and are used only once
 * confirmed (pivotRight bars later). The support line is a least-squares fit (`fitLine`, x = bar
 * index) through the last `trendPoints` confirmed swing lows; resistance through the swing highs.
 * Long: the last swing is up (its low before its high), support rises, and the support line at
 * bar i lies within toleranceAtr ATRs of a retracement level of that swing; the bar trades down
 * into the zone and closes above it. Stop stopAtr ATRs below the zone, target the swing high.
 * Short mirrors it with a falling resistance line in a down swing.
 */
export const confluence: Strategy<ConfluenceParams, ConfluenceState> = {
  id: 'confluence',
  name: 'Trendline + Fibonacci confluence',
  description: 'Pullbacks to where a swing-point trendline meets a Fibonacci retracement of the last swing.',
  params: ConfluenceParams,
  prepare(c: CandleSeries, p: ConfluenceParams): ConfluenceState {
    const n = c.length;
    const pv = pivots(c.high, c.low, p.pivotLeft, p.pivotRight);
    const swingHigh = new Float64Array(n).fill(NaN);
    const swingLow = new Float64Array(n).fill(NaN);
    const swingHighAt = new Int32Array(n).fill(-1);
    const swingLowAt = new Int32Array(n).fill(-1);
    const support = new Float64Array(n).fill(NaN);
    const supportSlope = new Float64Array(n).fill(NaN);
    const resistance = new Float64Array(n).fill(NaN);
    const resistanceSlope = new Float64Array(n).fill(NaN);
    const lowsX: number[] = [];
    const lowsY: number[] = [];
    const highsX: number[] = [];
    const highsY: number[] = [];
    let sup = { slope: NaN, intercept: NaN };
    let res = { slope: NaN, intercept: NaN };
    let hi = NaN;
    let hiAt = -1;
    let lo = NaN;
    let loAt = -1;
    const k = p.trendPoints;
    for (let i = 0; i < n; i++) {
      const j = i - p.pivotRight;
      if (j >= 0 && !Number.isNaN(pv.highs[j])) {
        hi = pv.highs[j];
        hiAt = j;
        highsX.push(j);
        highsY.push(hi);
        if (highsX.length >= k) res = fitLine(highsX.slice(-k), highsY.slice(-k));
      }
      if (j >= 0 && !Number.isNaN(pv.lows[j])) {
        lo = pv.lows[j];
        loAt = j;
        lowsX.push(j);
        lowsY.push(lo);
        if (lowsX.length >= k) sup = fitLine(lowsX.slice(-k), lowsY.slice(-k));
      }
      swingHigh[i] = hi;
      swingHighAt[i] = hiAt;
      swingLow[i] = lo;
      swingLowAt[i] = loAt;
      support[i] = sup.intercept + sup.slope * i;
      supportSlope[i] = sup.slope;
      resistance[i] = res.intercept + res.slope * i;
      resistanceSlope[i] = res.slope;
    }
    return {
      high: c.high,
      low: c.low,
      close: c.close,
      atr: atr(c.high, c.low, c.close, p.atrPeriod),
      swingHigh,
      swingHighAt,
      swingLow,
      swingLowAt,
      support,
      supportSlope,
      resistance,
      resistanceSlope,
      p,
    };
  },
  signal(st: ConfluenceState, i: number): Signal | null {
    const a = st.atr[i];
    const hi = st.swingHigh[i];
    const lo = st.swingLow[i];
    if (!(a > 0) || !(hi > lo)) return null;
    const upSwing = st.swingLowAt[i] < st.swingHighAt[i];
    const band = st.p.toleranceAtr * a;
    const close = st.close[i];
    if (upSwing && st.supportSlope[i] > 0) {
      const line = st.support[i];
      // retracements of the up move low → high, measured down from the high
      for (const f of fibonacciLevels(lo, hi, st.p.ratios)) {
        if (Math.abs(f.price - line) > band) continue;
        const zone = (f.price + line) / 2;
        if (!(st.low[i] <= zone + band && close > zone && close < hi)) continue;
        const stop = zone - st.p.stopAtr * a;
        const risk = close - stop;
        if (!(risk > 0) || (hi - close) / risk < st.p.minRewardRisk) continue;
        return {
          side: 'long',
          entry: close,
          stop,
          target: hi,
          confidence: Math.min(1, 0.5 + 0.5 * (1 - Math.abs(f.price - line) / (band || 1))),
          reason: `rising trendline meets the ${(f.ratio * 100).toFixed(1)}% retracement near ${zone.toFixed(4)}`,
        };
      }
    } else if (!upSwing && st.resistanceSlope[i] < 0) {
      const line = st.resistance[i];
      for (const f of fibonacciLevels(hi, lo, st.p.ratios)) {
        if (Math.abs(f.price - line) > band) continue;
        const zone = (f.price + line) / 2;
        if (!(st.high[i] >= zone - band && close < zone && close > lo)) continue;
        const stop = zone + st.p.stopAtr * a;
        const risk = stop - close;
        if (!(risk > 0) || (close - lo) / risk < st.p.minRewardRisk) continue;
        return {
          side: 'short',
          entry: close,
          stop,
          target: lo,
          confidence: Math.min(1, 0.5 + 0.5 * (1 - Math.abs(f.price - line) / (band || 1))),
          reason: `falling trendline meets the ${(f.ratio * 100).toFixed(1)}% retracement near ${zone.toFixed(4)}`,
        };
      }
    }
    return null;
  },
};
