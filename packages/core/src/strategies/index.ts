// Strategies: causal signal generators (bars 0..i only) with zod parameter schemas.
export type { AnyStrategy, CandleSeries, Side, Signal, Strategy } from './types.js';
export { strategies, type StrategyId } from './registry.js';
export { smaCross, SmaCrossParams, type SmaCrossState } from './sma-cross.js';
export { buyAndHold, BuyAndHoldParams, type BuyAndHoldState } from './buy-and-hold.js';
export { trend, TrendParams, type TrendState } from './trend.js';
export { breakout, BreakoutParams, type BreakoutState } from './breakout.js';
export { auction, AuctionParams, type AuctionState } from './auction.js';
export { confluence, ConfluenceParams, type ConfluenceState } from './confluence.js';
