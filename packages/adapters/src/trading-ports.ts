import { tradingPorts } from '@ballast/app/trading/ports.js';
import { BROKERS } from './brokers/index.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';
import { boundNotices } from './watchlists-ports.js';

/**
 * The trading context's ports with every adapter this deployment speaks bound in (function entries
 * use it), and the notices a halt sends (its account's owner and the tenant's admins).
 */
export const boundTradingPorts = tradingPorts(MARKET_DATA_PROVIDERS, BROKERS, boundNotices);
