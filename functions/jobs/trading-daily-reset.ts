import { boundTradingPorts as ports } from '@ballast/adapters/trading-ports.js';
import { resetTradingDay } from '@ballast/app/trading/handlers.js';
import { jobs } from '@ballast/app/trading/jobs.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.dailyReset, resetTradingDay, { ports });
