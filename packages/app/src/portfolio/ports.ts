import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { type Backend, type RouteHandler, dataTableOf, projectScopeOf } from '@ballast/platform/http/handler.js';
import { priceSource, type ProviderRegistry } from '../market-data/index.js';
import { DynamoLedgerStore } from './ledger-store.dynamo.js';
import { DynamoPortfolioStore } from './store.dynamo.js';

/** The project's portfolios and their ledgers in the tenant's own data table (pooled or silo, from the registry). */
export const portfolioPorts = (b: Backend) => ({
  portfolios: new DynamoPortfolioStore(b.db, dataTableOf(b), projectScopeOf(b)),
  ledger: new DynamoLedgerStore(b.db, dataTableOf(b), projectScopeOf(b)),
  /** later work (purges), committed with the change that makes it due */
  due: b.platform.due,
});

/**
 * The same, plus prices and FX rates from the tenant's market data, for the routes that value
 * holdings or convert currencies. The provider adapters are bound by the function entries.
 */
export const pricedPortfolioPorts = (providers: ProviderRegistry) => (b: Backend) => ({
  ...portfolioPorts(b),
  prices: priceSource(b, providers),
});

export type PortfolioPorts = ReturnType<typeof portfolioPorts>;
export type PricedPortfolioPorts = ReturnType<ReturnType<typeof pricedPortfolioPorts>>;
export type PortfolioHandler<D extends RouteSpec> = RouteHandler<D, PortfolioPorts>;
export type PricedPortfolioHandler<D extends RouteSpec> = RouteHandler<D, PricedPortfolioPorts>;
export type PortfolioJobHandler<D extends JobSpec> = JobHandler<D, PortfolioPorts>;
