import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import * as z from 'zod/mini';

/** Operations jobs. */
export const jobs = defineJobs('ops', {
  heartbeat: {
    id: 'ops.heartbeat',
    summary: 'Proves the tick → dispatcher → queue → worker loop every minute; readiness reports its age',
    payload: z.strictObject({}),
    uses: { control: 'write' },
    everyMinute: true,
    timeoutSeconds: 10,
  },
});
