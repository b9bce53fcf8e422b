import { automationPorts } from '@ballast/app/automation/ports.js';
import { BROKERS } from './brokers/index.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';
import { boundNotices } from './watchlists-ports.js';

/**
 * The automation context's ports with the market-data providers and brokers bound in (function
 * entries use it), and the notices (a halt its orders trip, a failed scheduled cycle).
 */
export const boundAutomationPorts = automationPorts(MARKET_DATA_PROVIDERS, BROKERS, boundNotices);
