import { researchPorts } from '@ballast/app/research/ports.js';
import { BROKERS } from './brokers/index.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';
import { boundNotices } from './watchlists-ports.js';

/** The research context's ports with the market-data providers and brokers bound in (function entries use it). */
export const boundResearchPorts = researchPorts(MARKET_DATA_PROVIDERS, BROKERS, boundNotices);
