import * as z from 'zod/mini';
import { atr } from '../indicators/index.js';
import { integerBetween, numberBetween, param } from '../param-schema.js';
import { valueArea, volumeProfile } from '../volume-profile.js';
import type { CandleSeries, Signal, Strategy } from './types.js';

export const AuctionParams = z.strictObject({
  lookback: param(integerBetween(5, 2000), 50, 'bars in the rolling volume profile (the bars before the signal bar)'),
  rows: param(integerBetween(4, 200), 24, 'price rows of the profile'),
  valueAreaPct: param(numberBetween(0.5, 0.95), 0.7, 'share of volume in the value area'),
  mode: param(z.enum(['rejection', 'acceptance', 'both']), 'both', 'which auction setups to trade'),
  atrPeriod: param(integerBetween(2, 200), 14, 'ATR period (Wilder) for stop buffers and tolerances'),
  bufferAtr: param(numberBetween(0, 5), 0.25, 'stop beyond the probe extreme / value edge, in ATRs'),
  minRewardRisk: param(numberBetween(0, 20), 1, 'skip setups whose target pays less than this × risk'),
});
export type AuctionParams = z.infer<typeof AuctionParams>;

export interface AuctionState {
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  atr: Float64Array;
  /** value area of the `lookback` bars before bar i (NaN while warming up) */
  poc: Float64Array;
  val: Float64Array;
  vah: Float64Array;
  p: AuctionParams;
}

/**
 * Auction market theory on a rolling volume profile. For bar i the profile covers bars
 * [i-lookback, i) — the value the market agreed on before bar i — with POC, VAL and VAH at
 * `valueAreaPct` (70%) of volume (`volumeProfile` + `valueArea`).
 *   Rejection: the bar probes outside value and closes back inside (low < VAL, close > VAL →
 *   long toward the POC; high > VAH, close < VAH → short toward the POC); stop beyond the probe.
 *   Acceptance: two consecutive closes outside value after a close inside (close[i], close[i-1]
 *   > VAH, close[i-2] ≤ VAH → long); the target projects the value area's height beyond the
 *   edge, the stop sits back inside value.
 */
export const auction: Strategy<AuctionParams, AuctionState> = {
  id: 'auction',
  name: 'Auction / volume profile',
  description:
    'Rejections back into the prior value area (to the POC) and acceptance outside it, ' +
    'from a rolling 70% volume profile.',
  params: AuctionParams,
  prepare(c: CandleSeries, p: AuctionParams): AuctionState {
    const n = c.length;
    const poc = new Float64Array(n).fill(NaN);
    const val = new Float64Array(n).fill(NaN);
    const vah = new Float64Array(n).fill(NaN);
    for (let i = p.lookback; i < n; i++) {
      const rows = volumeProfile(c, { rows: p.rows, from: i - p.lookback, to: i });
      let total = 0;
      for (const r of rows) total += r.volume;
      if (!(total > 0)) continue;
      const va = valueArea(rows, p.valueAreaPct);
      poc[i] = va.poc;
      val[i] = va.val;
      vah[i] = va.vah;
    }
    return {
      high: c.high,
      low: c.low,
      close: c.close,
      atr: atr(c.high, c.low, c.close, p.atrPeriod),
      poc,
      val,
      vah,
      p,
    };
  },
  signal(st: AuctionState, i: number): Signal | null {
    const a = st.atr[i];
    const poc = st.poc[i];
    const val = st.val[i];
    const vah = st.vah[i];
    if (!(a > 0) || !(vah > val) || i < 2) return null;
    const { mode, bufferAtr, minRewardRisk } = st.p;
    const close = st.close[i];
    const buffer = bufferAtr * a;
    const make = (side: 'long' | 'short', stop: number, target: number, reason: string): Signal | null => {
      const risk = side === 'long' ? close - stop : stop - close;
      const reward = side === 'long' ? target - close : close - target;
      if (!(risk > 0) || !(reward > 0) || reward / risk < minRewardRisk) return null;
      return { side, entry: close, stop, target, confidence: Math.min(1, 0.4 + 0.1 * (reward / risk)), reason };
    };
    if (mode !== 'acceptance') {
      if (st.low[i] < val && close > val && close < poc) {
        const s = make(
          'long',
          st.low[i] - buffer,
          poc,
          `probe below VAL ${val.toFixed(4)} rejected; target POC ${poc.toFixed(4)}`,
        );
        if (s) return s;
      }
      if (st.high[i] > vah && close < vah && close > poc) {
        const s = make(
          'short',
          st.high[i] + buffer,
          poc,
          `probe above VAH ${vah.toFixed(4)} rejected; target POC ${poc.toFixed(4)}`,
        );
        if (s) return s;
      }
    }
    if (mode !== 'rejection') {
      const height = vah - val;
      const c1 = st.close[i - 1];
      const c2 = st.close[i - 2];
      if (close > vah && c1 > vah && c2 <= vah) {
        return make('long', vah - buffer, vah + height, `accepted above value: two closes over VAH ${vah.toFixed(4)}`);
      }
      if (close < val && c1 < val && c2 >= val) {
        return make(
          'short',
          val + buffer,
          val - height,
          `accepted below value: two closes under VAL ${val.toFixed(4)}`,
        );
      }
    }
    return null;
  },
};
