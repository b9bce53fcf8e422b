import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobExhaustedHook, JobHandler } from '@ballast/platform/jobs/worker.js';
import { type Backend, dataTableOf, projectScopeOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import { projectBlobsOf } from '@ballast/platform/data/project-blobs.js';
import { type ProviderRegistry, storedCandles } from '../market-data/index.js';
import { type BrokerRegistry, tradingPorts } from '../trading/index.js';
import type { NoticesFor } from '../watchlists/index.js';
import { DynamoOptimisationStore } from './optimisation-store.dynamo.js';
import { DynamoResearchStore } from './store.dynamo.js';
import { DynamoBacktestStore } from './backtest-store.dynamo.js';

/**
 * The project's research records, the tenant's stored candles, and the trading desk's ports (an
 * approval is an order through it, and a breaker it trips tells the account's people). The
 * adapters are bound by the function entry.
 */
export const researchPorts =
  (providers: ProviderRegistry, brokers: BrokerRegistry, notices?: NoticesFor) => (b: Backend) => ({
    ...tradingPorts(providers, brokers, notices)(b),
    research: new DynamoResearchStore(b.db, dataTableOf(b), projectScopeOf(b)),
    candles: storedCandles(b),
  });

export type ResearchPorts = ReturnType<ReturnType<typeof researchPorts>>;
export type ResearchHandler<D extends RouteSpec> = RouteHandler<D, ResearchPorts>;

/** An optimisation's records, the tenant's stored candles and the due-work index (its plan job). */
export const optimisationPorts = (b: Backend) => ({
  optimisations: new DynamoOptimisationStore(b.db, dataTableOf(b), projectScopeOf(b)),
  candles: storedCandles(b),
  due: b.platform.due,
});

export type OptimisationPorts = ReturnType<typeof optimisationPorts>;
export type OptimisationHandler<D extends RouteSpec> = RouteHandler<D, OptimisationPorts>;
export type OptimisationJobHandler<D extends JobSpec> = JobHandler<D, OptimisationPorts>;
export type OptimisationJobExhausted<D extends JobSpec> = JobExhaustedHook<D, OptimisationPorts>;

/**
 * A backtest's record, the tenant's stored candles, the project's blobs (the full curve and the
 * trade log) and the due-work index (a large run's job). No adapter: the entries bind it as it is.
 */
export const backtestPorts = (b: Backend) => ({
  backtests: new DynamoBacktestStore(b.db, dataTableOf(b), projectScopeOf(b)),
  candles: storedCandles(b),
  blobs: projectBlobsOf(b),
  due: b.platform.due,
  /** the platform's clock, read live (a job's progress writes) */
  now: () => b.platform.now(),
});

export type BacktestPorts = ReturnType<typeof backtestPorts>;
export type BacktestHandler<D extends RouteSpec> = RouteHandler<D, BacktestPorts>;
export type BacktestJobHandler<D extends JobSpec> = JobHandler<D, BacktestPorts>;

/** Static catalogues (the optimisation methods and objectives) touch nothing. */
export const catalogPorts = (_b: Backend) => ({});
export type CatalogHandler<D extends RouteSpec> = RouteHandler<D, ReturnType<typeof catalogPorts>>;
