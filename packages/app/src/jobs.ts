import type { JobDef } from '@ballast/platform/jobs/define-job.js';
import { jobs as automationJobs } from './automation/jobs.js';
import { jobs as marketDataJobs } from './market-data/jobs.js';
import { jobs as opsJobs } from './ops/jobs.js';
import { jobs as planningJobs } from './planning/jobs.js';
import { jobs as portfolioJobs } from './portfolio/jobs.js';
import { jobs as researchJobs } from './research/jobs.js';
import { jobs as tradingJobs } from './trading/jobs.js';
import { jobs as watchlistsJobs } from './watchlists/jobs.js';

/** Every context's jobs: read by the dispatcher, the Jobs stack, the local runtime and the tests. */
export const JOBS_BY_CONTEXT: Readonly<Record<string, readonly JobDef[]>> = {
  ops: Object.values(opsJobs),
  portfolio: Object.values(portfolioJobs),
  'market-data': Object.values(marketDataJobs),
  trading: Object.values(tradingJobs),
  planning: Object.values(planningJobs),
  research: Object.values(researchJobs),
  automation: Object.values(automationJobs),
  watchlists: Object.values(watchlistsJobs),
};

export const ALL_JOBS: readonly JobDef[] = Object.values(JOBS_BY_CONTEXT).flat();
