// The account's trading state: a gate in front of both check sets (strategy and allocation
// orders). HALTED is an operator's stop; REDUCING lets risk come off but none go on.
import type { RiskCheck } from './validator.js';

export const TRADING_STATES = ['ACTIVE', 'HALTED', 'REDUCING'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

/**
 * Whether `tradingState` lets an order through: ACTIVE takes everything, HALTED nothing, REDUCING
 * only an order that shrinks an existing position (`reducesPosition`, which the caller decides:
 * it knows the holding). `value` is "the state blocks this order", which must be false.
 */
export function tradingStateCheck(tradingState: TradingState, reducesPosition: boolean, step = 0): RiskCheck {
  if (!(TRADING_STATES as readonly string[]).includes(tradingState)) {
    throw new RangeError(`tradingState must be one of ${TRADING_STATES.join(', ')}`);
  }
  const blocked = tradingState === 'HALTED' || (tradingState === 'REDUCING' && !reducesPosition);
  const detail =
    tradingState === 'ACTIVE'
      ? 'trading is ACTIVE'
      : tradingState === 'HALTED'
        ? 'trading is HALTED: no order is accepted'
        : blocked
          ? 'trading is REDUCING: only an order that reduces a position is accepted'
          : 'trading is REDUCING: this order reduces a position';
  return {
    id: 'tradingState',
    step,
    name: 'Trading state allows the order',
    value: blocked,
    limit: false,
    passed: !blocked,
    detail,
  };
}
