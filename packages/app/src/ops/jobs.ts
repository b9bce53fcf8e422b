import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import * as z from 'zod/mini';
import { archiveRunPayload } from './schemas.js';

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
  archiveRun: {
    id: 'ops.archive-run',
    summary:
      "Moves a tenant's audit records (kind audit) or one env's trading journal (kind journal) older than the " +
      'retention age to S3 as gzipped JSON lines, a manifest per object; deletes them once the object is read ' +
      'back and checked; re-schedules itself daily',
    payload: archiveRunPayload,
    // control: the audit log, the manifests and the next run; data: the journals; blobs: the archives
    uses: { control: 'write', data: 'write', blobs: 'write' },
    timeoutSeconds: 300,
  },
});
