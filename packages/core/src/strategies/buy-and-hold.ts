import * as z from 'zod/mini';
import type { CandleSeries, Signal, Strategy } from './types.js';

export const BuyAndHoldParams = z.strictObject({});
export type BuyAndHoldParams = z.infer<typeof BuyAndHoldParams>;

export interface BuyAndHoldState {
  close: ArrayLike<number>;
}

/**
 * Baseline: a long signal on every bar. The backtest ignores same-side signals while a position
 * is open, so this buys at the first tradable open and holds to the end — also when the backtest
 * starts late (walk-forward windows, `startIndex`).
 */
export const buyAndHold: Strategy<BuyAndHoldParams, BuyAndHoldState> = {
  id: 'buyAndHold',
  name: 'Buy and hold',
  description: 'Baseline: buy at the first tradable bar and hold until the end of the data.',
  params: BuyAndHoldParams,
  prepare(candles: CandleSeries): BuyAndHoldState {
    return { close: candles.close };
  },
  signal(st: BuyAndHoldState, i: number): Signal | null {
    return { side: 'long', entry: st.close[i], stop: null, target: null, confidence: 1, reason: 'buy and hold' };
  },
};
