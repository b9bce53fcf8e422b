import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { BACKTEST_ID } from './ids.js';

/** Large backtests (more bars than a request runs) run here, with their progress on the record. */
export const jobs = defineJobs('research', {
  backtestRun: {
    id: 'research.backtest-run',
    summary:
      'Runs a large backtest (more than 200,000 bars) on the stored candles in steps, writing its progress to the ' +
      'record every 5%, then the full curve and the trade log to blobs and the result to the record',
    payload: lazy(() => z.strictObject({ backtestId: z.string().check(z.regex(BACKTEST_ID, 'is not a backtest id')) })),
    uses: { control: 'write', data: 'write', blobs: 'write' },
    // Lambda's longest: a million bars read, simulated and written with room to spare
    timeoutSeconds: 900,
    // a run that fails twice fails for good (it is deterministic): the record says why, the DLQ keeps the message
    maxReceiveCount: 2,
  },
});
