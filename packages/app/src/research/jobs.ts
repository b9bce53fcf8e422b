import { jobs as backtestJobs } from './backtest-jobs.js';
import { jobs as optimisationJobs } from './optimisation-jobs.js';

/**
 * The research context's jobs: one slice a file (large backtests, optimisation chunks), merged
 * here like its routes.
 */
export const jobs = {
  ...backtestJobs,
  ...optimisationJobs,
};
