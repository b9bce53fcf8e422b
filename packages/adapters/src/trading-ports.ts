import { tradingPorts } from '@ballast/app/trading/ports.js';
import { BROKERS } from './brokers/index.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';

/** The trading context's ports with every adapter this deployment speaks bound in (function entries use it). */
export const boundTradingPorts = tradingPorts(MARKET_DATA_PROVIDERS, BROKERS);
