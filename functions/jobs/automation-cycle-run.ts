import { boundAutomationPorts as ports } from '@ballast/adapters/automation-ports.js';
import { runScheduledCycle } from '@ballast/app/automation/handlers.js';
import { jobs } from '@ballast/app/automation/jobs.js';
import { job } from '@ballast/platform/jobs/worker.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';

export const handler = job(jobs.cycleRun, runScheduledCycle, { ports, secrets });
