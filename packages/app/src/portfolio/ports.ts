import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { type Backend, type RouteHandler, dataTableOf, projectScopeOf } from '@ballast/platform/http/handler.js';
import { DynamoPortfolioStore } from './store.dynamo.js';

/** The project's portfolios in the tenant's own data table (pooled or silo, from the registry). */
export const portfolioPorts = (b: Backend) => ({
  portfolios: new DynamoPortfolioStore(b.platform.db, dataTableOf(b), projectScopeOf(b)),
  /** later work (purges), committed with the change that makes it due */
  due: b.platform.due,
});

export type PortfolioPorts = ReturnType<typeof portfolioPorts>;
export type PortfolioHandler<D extends RouteSpec> = RouteHandler<D, PortfolioPorts>;
export type PortfolioJobHandler<D extends JobSpec> = JobHandler<D, PortfolioPorts>;
