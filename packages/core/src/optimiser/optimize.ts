import { planCandidates, type Candidate, type SearchMethod } from './plan.js';
import { rankResults, type EvaluatedPoint, type RankedResult } from './rank.js';
import { compileSpace, type ParamPoint, type ParamSpace } from './space.js';

export interface OptimizeOptions {
  space: ParamSpace;
  /** higher is better; NaN ranks last */
  objective: (params: ParamPoint) => number;
  method: SearchMethod;
  budget: number;
  seed?: number;
  /** guided search tuning, see planCandidates */
  batchSize?: number;
  exploreFraction?: number;
  epsilon?: number;
  topK?: number;
}

export interface OptimizeResult {
  /** every evaluated point, best first */
  results: RankedResult[];
  best: RankedResult | null;
  /** points in the space */
  count: number;
  evaluations: number;
}

/**
 * A batch evaluator: scores for `batch`, in the batch's order. It may evaluate the points in
 * any order or in parallel (a worker pool); the result does not change.
 */
export type BatchEvaluator = (batch: readonly Candidate[], objective: (params: ParamPoint) => number) => number[];
export type AsyncBatchEvaluator = (batch: readonly Candidate[]) => Promise<number[]>;

/** Search a parameter space: plan a batch, evaluate it, repeat until the plan is empty. */
export function optimize(opts: OptimizeOptions & { evaluate?: BatchEvaluator }): OptimizeResult {
  const cs = compileSpace(opts.space);
  const evaluated: EvaluatedPoint[] = [];
  for (;;) {
    const batch = planCandidates({ ...opts, space: cs, evaluated });
    if (batch.length === 0) break;
    const scores = opts.evaluate ? opts.evaluate(batch, opts.objective) : batch.map((c) => opts.objective(c.params));
    collect(batch, scores, evaluated);
  }
  return finish(evaluated, cs.count);
}

/** As `optimize`, with an asynchronous batch evaluator (e.g. fanned out to workers). */
export async function optimizeAsync(
  opts: Omit<OptimizeOptions, 'objective'> & { evaluate: AsyncBatchEvaluator },
): Promise<OptimizeResult> {
  const cs = compileSpace(opts.space);
  const evaluated: EvaluatedPoint[] = [];
  for (;;) {
    const batch = planCandidates({ ...opts, space: cs, evaluated });
    if (batch.length === 0) break;
    collect(batch, await opts.evaluate(batch), evaluated);
  }
  return finish(evaluated, cs.count);
}

function collect(batch: readonly Candidate[], scores: readonly number[], into: EvaluatedPoint[]): void {
  if (scores.length !== batch.length)
    throw new RangeError(`evaluator returned ${scores.length} scores for ${batch.length} points`);
  for (let k = 0; k < batch.length; k++) {
    const s = scores[k];
    if (typeof s !== 'number') throw new TypeError(`objective returned ${typeof s}, expected a number`);
    into.push({ index: batch[k].index, params: batch[k].params, score: s });
  }
}

function finish(evaluated: EvaluatedPoint[], count: number): OptimizeResult {
  const results = rankResults(evaluated);
  return { results, best: results[0] ?? null, count, evaluations: results.length };
}
