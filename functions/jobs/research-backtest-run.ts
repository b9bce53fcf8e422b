import { runBacktestJob } from '@ballast/app/research/backtest-handlers.js';
import { jobs } from '@ballast/app/research/jobs.js';
import { backtestPorts as ports } from '@ballast/app/research/ports.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.backtestRun, runBacktestJob, { ports });
