import { rollBackImport } from '@ballast/app/portfolio/ledger-handlers.js';
import { jobs } from '@ballast/app/portfolio/jobs.js';
import { portfolioPorts } from '@ballast/app/portfolio/ports.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.importRollback, rollBackImport, { ports: portfolioPorts });
