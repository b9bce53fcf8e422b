import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import { type Backend, dataTableOf, projectScopeOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import { type ProviderRegistry, storedCandles } from '../market-data/index.js';
import { type BrokerRegistry, tradingPorts } from '../trading/index.js';
import { DynamoResearchStore } from './store.dynamo.js';

/**
 * The project's research records, the tenant's stored candles, and the trading desk's ports (an
 * approval is an order through it). The adapters are bound by the function entry.
 */
export const researchPorts = (providers: ProviderRegistry, brokers: BrokerRegistry) => (b: Backend) => ({
  ...tradingPorts(providers, brokers)(b),
  research: new DynamoResearchStore(b.platform.db, dataTableOf(b), projectScopeOf(b)),
  candles: storedCandles(b),
});

export type ResearchPorts = ReturnType<ReturnType<typeof researchPorts>>;
export type ResearchHandler<D extends RouteSpec> = RouteHandler<D, ResearchPorts>;
