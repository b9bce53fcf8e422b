import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { integer } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { IMPORT_ID } from './ids.js';
import { portfolioParams } from './schemas.js';

/** A soft-deleted portfolio is kept this long (restorable by support, visible in audit), then purged. */
export const PURGE_GRACE_MS = 30 * 24 * 3600 * 1000;

/**
 * An import still `writing` this long after it opened was abandoned (its Lambda died and nobody
 * retried): its entries are removed and the book forgets it, so it never blocks the portfolio.
 */
export const IMPORT_ABANDONED_MS = 15 * 60 * 1000;

export const jobs = defineJobs('portfolio', {
  purge: {
    id: 'portfolio.purge',
    summary: 'Removes a soft-deleted portfolio for good once its grace period is over',
    payload: lazy(() => z.extend(portfolioParams(), { version: integer })),
    uses: { control: 'write', data: 'write' },
    timeoutSeconds: 30,
  },
  importRollback: {
    id: 'portfolio.import-rollback',
    summary: 'Rolls back an import left half-written (its entries never counted) once it is abandoned',
    payload: lazy(() =>
      z.extend(portfolioParams(), { importId: z.string().check(z.regex(IMPORT_ID, 'is not an import id')) }),
    ),
    uses: { control: 'write', data: 'write' },
    timeoutSeconds: 120,
  },
});
