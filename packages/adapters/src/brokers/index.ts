import type { BrokerRegistry } from '@ballast/app/trading/broker.js';
import { ALPACA, alpacaBroker, createAlpaca } from './alpaca/index.js';

/** Broker adapters by the routing entry's `adapter` name. */
export const BROKERS: BrokerRegistry = {
  alpaca: alpacaBroker,
};

export { ALPACA, alpacaBroker, createAlpaca };
