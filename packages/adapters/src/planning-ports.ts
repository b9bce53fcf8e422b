import { pricedPlanningPorts, rebalancePorts } from '@ballast/app/planning/ports.js';
import { BROKERS } from './brokers/index.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';
import { boundNotices } from './watchlists-ports.js';

/** The planning context's priced ports with the market-data providers bound in (the allocation entry uses it). */
export const boundPlanningPorts = pricedPlanningPorts(MARKET_DATA_PROVIDERS);

/**
 * Rebalancing, schedules and rules: the trading desk's adapters too (their orders go through it),
 * and the notices (a halt their orders trip, a failed scheduled run).
 */
export const boundRebalancePorts = rebalancePorts(MARKET_DATA_PROVIDERS, BROKERS, boundNotices);
