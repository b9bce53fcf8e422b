import { chunkExhausted as onExhausted, evaluateChunk } from '@ballast/app/research/optimisation-handlers.js';
import { jobs } from '@ballast/app/research/optimisation-jobs.js';
import { optimisationPorts as ports } from '@ballast/app/research/ports.js';
import { configuredJobQueues as queues } from '@ballast/platform/jobs/queue.sqs.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.optimisationChunk, evaluateChunk, { ports, queues, onExhausted });
