import { boundRebalancePorts as ports } from '@ballast/adapters/planning-ports.js';
import { jobs } from '@ballast/app/planning/jobs.js';
import { dcaRunExhausted as onExhausted, runDca } from '@ballast/app/planning/rules.js';
import { job } from '@ballast/platform/jobs/worker.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';

export const handler = job(jobs.dcaRun, runDca, { ports, secrets, onExhausted });
