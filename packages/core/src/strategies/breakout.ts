import * as z from 'zod/mini';
import { atr, pivots, sma } from '../indicators/index.js';
import { integerBetween, numberBetween, param } from '../param-schema.js';
import type { CandleSeries, Signal, Strategy } from './types.js';

export const BreakoutParams = z.strictObject({
  pivotLeft: param(integerBetween(1, 20), 3, 'bars left of a swing point'),
  pivotRight: param(integerBetween(1, 20), 3, 'bars right of a swing point; a zone is known only after them'),
  volumePeriod: param(integerBetween(2, 200), 20, 'SMA period of volume for the confirmation'),
  volumeMultiple: param(numberBetween(0, 10), 1.5, 'breakout bar volume must be ≥ this × average volume'),
  atrPeriod: param(integerBetween(2, 200), 14, 'ATR period (Wilder) for stop buffers and tolerances'),
  bufferAtr: param(numberBetween(0, 5), 0.25, 'stop beyond the far side of the broken zone, in ATRs'),
  rewardRisk: param(numberBetween(0.5, 20), 2, 'target distance as a multiple of the stop distance'),
});
export type BreakoutParams = z.infer<typeof BreakoutParams>;

export interface BreakoutState {
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
  volAvg: Float64Array;
  atr: Float64Array;
  /** the active (confirmed, not yet broken) supply zone at bar i, NaN when none */
  supplyTop: Float64Array;
  supplyBottom: Float64Array;
  demandTop: Float64Array;
  demandBottom: Float64Array;
  p: BreakoutParams;
}

/**
 * Supply/demand zone breakouts. A swing high at bar j (confirmed at j+pivotRight) marks a supply
 * zone from the top of its body to its high; a swing low marks a demand zone from its low to
 * the bottom of its body. The newest zone of each kind is active until a close beyond it. A
 * close above the active supply zone with volume ≥ volumeMultiple × its SMA is a long
 * breakout (stop below the zone, which now acts as demand); a close below the demand zone is
 * the short mirror. A break without volume consumes the zone without a signal.
 */
export const breakout: Strategy<BreakoutParams, BreakoutState> = {
  id: 'breakout',
  name: 'Supply/demand zone breakout',
  description: 'Closes beyond the latest swing-based supply or demand zone, confirmed by above-average volume.',
  params: BreakoutParams,
  prepare(c: CandleSeries, p: BreakoutParams): BreakoutState {
    const n = c.length;
    const pv = pivots(c.high, c.low, p.pivotLeft, p.pivotRight);
    const supplyTop = new Float64Array(n);
    const supplyBottom = new Float64Array(n);
    const demandTop = new Float64Array(n);
    const demandBottom = new Float64Array(n);
    let sTop = NaN;
    let sBot = NaN;
    let dTop = NaN;
    let dBot = NaN;
    for (let i = 0; i < n; i++) {
      const j = i - p.pivotRight;
      if (j >= 0) {
        if (!Number.isNaN(pv.highs[j])) {
          sTop = c.high[j];
          sBot = Math.max(c.open[j], c.close[j]);
        }
        if (!Number.isNaN(pv.lows[j])) {
          dBot = c.low[j];
          dTop = Math.min(c.open[j], c.close[j]);
        }
      }
      supplyTop[i] = sTop;
      supplyBottom[i] = sBot;
      demandTop[i] = dTop;
      demandBottom[i] = dBot;
      // a close through a zone consumes it from the next bar on
      if (c.close[i] > sTop) sTop = sBot = NaN;
      if (c.close[i] < dBot) dTop = dBot = NaN;
    }
    return {
      close: c.close,
      volume: c.volume,
      volAvg: sma(c.volume, p.volumePeriod),
      atr: atr(c.high, c.low, c.close, p.atrPeriod),
      supplyTop,
      supplyBottom,
      demandTop,
      demandBottom,
      p,
    };
  },
  signal(st: BreakoutState, i: number): Signal | null {
    const close = st.close[i];
    const a = st.atr[i];
    const avg = st.volAvg[i];
    if (!(a > 0) || !(avg > 0)) return null;
    const volRatio = st.volume[i] / avg;
    if (volRatio < st.p.volumeMultiple) return null;
    const up = close > st.supplyTop[i];
    const down = close < st.demandBottom[i];
    if (!up && !down) return null;
    const stop = up ? st.supplyBottom[i] - st.p.bufferAtr * a : st.demandTop[i] + st.p.bufferAtr * a;
    const risk = up ? close - stop : stop - close;
    if (!(risk > 0)) return null;
    return {
      side: up ? 'long' : 'short',
      entry: close,
      stop,
      target: up ? close + st.p.rewardRisk * risk : close - st.p.rewardRisk * risk,
      confidence: Math.max(0, Math.min(1, 0.5 + 0.25 * (volRatio - st.p.volumeMultiple))),
      reason: up
        ? `close broke above supply zone ${zone(st.supplyBottom[i], st.supplyTop[i])} on ${times(volRatio)} volume`
        : `close broke below demand zone ${zone(st.demandBottom[i], st.demandTop[i])} on ${times(volRatio)} volume`,
    };
  },
};

/** A zone's price range as a signal's reason shows it. */
function zone(bottom: number, top: number): string {
  return `${bottom.toFixed(4)}–${top.toFixed(4)}`;
}

/** A volume ratio as a signal's reason shows it ("1.73×"). */
function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}
