import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobExhaustedHook, JobHandler } from '@ballast/platform/jobs/worker.js';
import { type Backend, dataTableOf, projectScopeOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import type { ProviderRegistry } from '../market-data/index.js';
import { portfolioPorts, pricedPortfolioPorts } from '../portfolio/index.js';
import { type BrokerRegistry, tradingPorts } from '../trading/index.js';
import type { NoticesFor } from '../watchlists/index.js';
import { DynamoPlanningStore } from './store.dynamo.js';

const planningStore = (b: Backend) => new DynamoPlanningStore(b.db, dataTableOf(b), projectScopeOf(b));

/** The project's planning data beside its portfolios (every route checks its portfolio is live first). */
export const planningPorts = (b: Backend) => ({
  portfolios: portfolioPorts(b).portfolios,
  planning: planningStore(b),
});

/**
 * The same, plus the portfolios' ledgers and the tenant's prices and FX rates, for the allocation
 * view, which values the book. The provider adapters are bound by the function entry.
 */
export const pricedPlanningPorts = (providers: ProviderRegistry) => (b: Backend) => ({
  ...pricedPortfolioPorts(providers)(b),
  planning: planningStore(b),
});

/**
 * Rebalancing, schedules and rules: the trading desk's ports (the account, its gate, orders, the
 * book and prices; `notices`, which also tell a schedule's or rule's creator of a failed run)
 * beside the planning data. The adapters are bound by the function entry.
 */
export const rebalancePorts =
  (providers: ProviderRegistry, brokers: BrokerRegistry, notices?: NoticesFor) => (b: Backend) => ({
    ...tradingPorts(providers, brokers, notices)(b),
    planning: planningStore(b),
  });

export type PlanningPorts = ReturnType<typeof planningPorts>;
export type RebalancePorts = ReturnType<ReturnType<typeof rebalancePorts>>;
export type RebalanceHandler<D extends RouteSpec> = RouteHandler<D, RebalancePorts>;
export type RebalanceJobHandler<D extends JobSpec> = JobHandler<D, RebalancePorts>;
export type RebalanceJobExhausted<D extends JobSpec> = JobExhaustedHook<D, RebalancePorts>;
export type PricedPlanningPorts = ReturnType<ReturnType<typeof pricedPlanningPorts>>;
export type PlanningHandler<D extends RouteSpec> = RouteHandler<D, PlanningPorts>;
export type PricedPlanningHandler<D extends RouteSpec> = RouteHandler<D, PricedPlanningPorts>;
