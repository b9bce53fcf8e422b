import { auction } from './auction.js';
import { breakout } from './breakout.js';
import { buyAndHold } from './buy-and-hold.js';
import { confluence } from './confluence.js';
import { smaCross } from './sma-cross.js';
import { trend } from './trend.js';

/** Every strategy by id: the four SPEC strategies and the two baselines. */
export const strategies = Object.freeze({
  breakout,
  trend,
  auction,
  confluence,
  smaCross,
  buyAndHold,
});
export type StrategyId = keyof typeof strategies;
