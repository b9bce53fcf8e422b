import { runArchive } from '@ballast/app/ops/archive-handlers.js';
import { archivePorts as ports } from '@ballast/app/ops/archive-ports.js';
import { jobs } from '@ballast/app/ops/jobs.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.archiveRun, runArchive, { ports });
