import { ALL_JOBS } from '@ballast/app/jobs.js';
import { dispatcher } from '@ballast/platform/jobs/dispatcher-lambda.js';
import { configuredJobQueues } from '@ballast/platform/jobs/queue.sqs.js';

export const handler = dispatcher(ALL_JOBS, configuredJobQueues);
