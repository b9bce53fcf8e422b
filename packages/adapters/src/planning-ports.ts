import { pricedPlanningPorts } from '@ballast/app/planning/ports.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';

/** The planning context's priced ports with the market-data providers bound in (the allocation entry uses it). */
export const boundPlanningPorts = pricedPlanningPorts(MARKET_DATA_PROVIDERS);
