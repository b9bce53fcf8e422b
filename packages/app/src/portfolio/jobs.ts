import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { integer } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { portfolioParams } from './schemas.js';

/** A soft-deleted portfolio is kept this long (restorable by support, visible in audit), then purged. */
export const PURGE_GRACE_MS = 30 * 24 * 3600 * 1000;

export const jobs = defineJobs('portfolio', {
  purge: {
    id: 'portfolio.purge',
    summary: 'Removes a soft-deleted portfolio for good once its grace period is over',
    payload: lazy(() => z.extend(portfolioParams(), { version: integer })),
    uses: { control: 'write', data: 'write' },
    timeoutSeconds: 30,
  },
});
