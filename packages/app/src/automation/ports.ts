import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import { type Backend, dataTableOf, projectScopeOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { type ProviderRegistry, storedCandles } from '../market-data/index.js';
import { optimisationPorts } from '../research/index.js';
import { type BrokerRegistry, tradingPorts } from '../trading/index.js';
import type { NoticesFor } from '../watchlists/index.js';
import { DynamoAutomationStore } from './store.dynamo.js';

/** The project's automation records (and the tenant's halt switch), for this context and its callers. */
export const automationStore = (b: Backend) => new DynamoAutomationStore(b.db, dataTableOf(b), projectScopeOf(b));

/**
 * Playbooks and their cycles: the automation records, the tenant's stored candles (the strategy
 * step reads them), and the trading desk's ports (the gate and the execution engine; `notices`,
 * which also tell a playbook's creator of a failed scheduled cycle). The adapters are bound by
 * the function entry.
 */
export const automationPorts =
  (providers: ProviderRegistry, brokers: BrokerRegistry, notices?: NoticesFor) => (b: Backend) => ({
    ...tradingPorts(providers, brokers, notices)(b),
    automation: automationStore(b),
    candles: storedCandles(b),
    /** research's optimisation records and their plan job: the feedback loop re-optimises through them */
    optimisation: optimisationPorts(b),
  });

export type AutomationPorts = ReturnType<ReturnType<typeof automationPorts>>;
export type AutomationHandler<D extends RouteSpec> = RouteHandler<D, AutomationPorts>;
export type AutomationJobHandler<D extends JobSpec> = JobHandler<D, AutomationPorts>;
