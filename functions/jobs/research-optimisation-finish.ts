import { finishOptimisation } from '@ballast/app/research/optimisation-handlers.js';
import { jobs } from '@ballast/app/research/optimisation-jobs.js';
import { optimisationPorts as ports } from '@ballast/app/research/ports.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.optimisationFinish, finishOptimisation, { ports });
