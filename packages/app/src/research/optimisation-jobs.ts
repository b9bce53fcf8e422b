import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { integer } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { OPTIMISATION_ID } from './ids.js';

/** Candidates a chunk message carries: one worker evaluates them in one go, in one transaction. */
export const CHUNK_SIZE = 20;
/** The largest search one optimisation runs (10,000 candidates: the cost model). */
export const MAX_CANDIDATES = 10_000;

const optimisationId = z.string().check(z.regex(OPTIMISATION_ID, 'is not an optimisation id'));
const round = integer.check(z.gte(0), z.lte(MAX_CANDIDATES));
// its records, and the audit of its changes
const uses = { control: 'write', data: 'write' } as const;
const PLAN = 'research.optimisation-plan';
const CHUNK = 'research.optimisation-chunk';
const FINISH = 'research.optimisation-finish';

/**
 * An optimisation on the jobs spine: the plan job (due when it is created) plans a round and fans
 * its chunks out to the chunk queue; chunk workers (several at once) evaluate and count; the one
 * whose count closes the round sends the next plan (guided search) or the finish job.
 */
export const jobs = defineJobs('research', {
  optimisationPlan: {
    id: PLAN,
    summary:
      "Plans an optimisation's next round of candidates (grid and random: one round; guided: each round from the " +
      'results so far), records the round and sends its chunks to the chunk workers',
    payload: lazy(() => z.strictObject({ optimisationId, round })),
    uses,
    sends: [CHUNK, FINISH],
    timeoutSeconds: 120,
  },
  optimisationChunk: {
    id: CHUNK,
    summary:
      `Evaluates one chunk of up to ${CHUNK_SIZE} candidates (a backtest each, on the optimisation's candles), ` +
      'records their results and adds them to the done counter in one transaction; skips a cancelled optimisation',
    payload: lazy(() =>
      z.strictObject({
        optimisationId,
        round,
        chunk: integer.check(z.gte(0), z.lte(MAX_CANDIDATES)),
        indices: z.array(integer.check(z.gte(0))).check(z.minLength(1), z.maxLength(CHUNK_SIZE)),
      }),
    ),
    uses,
    sends: [PLAN, FINISH],
    // chunks are claimed by several workers at once; each invocation takes one
    concurrency: 8,
    batchSize: 1,
    timeoutSeconds: 300,
  },
  optimisationFinish: {
    id: FINISH,
    summary:
      'Ranks a finished optimisation, runs its walk-forward report when asked and the look-ahead check on the ' +
      'winner, and marks it completed',
    payload: lazy(() => z.strictObject({ optimisationId })),
    uses,
    timeoutSeconds: 900,
  },
});
