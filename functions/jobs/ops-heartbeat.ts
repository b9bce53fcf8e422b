import { beat } from '@ballast/app/ops/handlers.js';
import { jobs } from '@ballast/app/ops/jobs.js';
import { opsPorts } from '@ballast/app/ops/ports.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.heartbeat, beat, { ports: opsPorts });
