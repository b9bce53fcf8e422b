import { boundRebalancePorts as ports } from '@ballast/adapters/planning-ports.js';
import { runSchedule, scheduleRunExhausted as onExhausted } from '@ballast/app/planning/rebalance-handlers.js';
import { jobs } from '@ballast/app/planning/jobs.js';
import { job } from '@ballast/platform/jobs/worker.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';

export const handler = job(jobs.rebalanceRun, runSchedule, { ports, secrets, onExhausted });
