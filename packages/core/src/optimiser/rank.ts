import type { ParamPoint } from './space.js';

/** One evaluated point. `index` is the point's address in its compiled space. */
export interface EvaluatedPoint {
  index: number;
  params: ParamPoint;
  score: number;
}

export interface RankedResult extends EvaluatedPoint {
  /** 1 = best */
  rank: number;
}

/**
 * Objective descending; NaN (an objective that could not be computed) ranks last; ties are
 * broken by the point index ascending, so the ranking is a pure function of the set of
 * results — the order in which workers finished does not matter.
 */
export function rankResults(results: readonly EvaluatedPoint[]): RankedResult[] {
  const sorted = [...results].sort(compareResults);
  return sorted.map((r, k) => ({ ...r, rank: k + 1 }));
}

export function compareResults(
  a: Pick<EvaluatedPoint, 'index' | 'score'>,
  b: Pick<EvaluatedPoint, 'index' | 'score'>,
): number {
  const an = Number.isNaN(a.score);
  const bn = Number.isNaN(b.score);
  if (an !== bn) return an ? 1 : -1;
  if (!an && a.score !== b.score) return b.score > a.score ? 1 : -1;
  return a.index - b.index;
}
