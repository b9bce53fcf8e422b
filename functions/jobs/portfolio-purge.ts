import { purgePortfolio } from '@ballast/app/portfolio/handlers.js';
import { jobs } from '@ballast/app/portfolio/jobs.js';
import { portfolioPorts } from '@ballast/app/portfolio/ports.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.purge, purgePortfolio, { ports: portfolioPorts });
