import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { SYNC_ID } from './ids.js';

/** A sync run stops starting provider calls after this share of its timeout and carries on in the next run. */
export const SYNC_RUN_BUDGET = 0.6;

export const jobs = defineJobs('market-data', {
  sync: {
    id: 'marketData.sync',
    summary: "Fetches a sync's window of candles from the tenant's provider, one request at a time, with progress",
    payload: lazy(() => z.strictObject({ syncId: z.string().check(z.regex(SYNC_ID)) })),
    // control: the shared token bucket and the next run's due work; secrets: the provider's key
    uses: { control: 'write', data: 'write', secrets: ['tenant'] },
    timeoutSeconds: 300,
  },
});
