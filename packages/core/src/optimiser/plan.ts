import { mixSeed, mulberry32 } from './prng.js';
import { compareResults, type EvaluatedPoint } from './rank.js';
import {
  compileSpace,
  coordinatesAt,
  indexOf,
  pointAt,
  type CompiledSpace,
  type ParamPoint,
  type ParamSpace,
} from './space.js';

export type SearchMethod = 'grid' | 'random' | 'guided';

export interface Candidate {
  index: number;
  params: ParamPoint;
}

export interface PlanInput {
  space: ParamSpace | CompiledSpace;
  method: SearchMethod;
  /** maximum number of evaluations (capped at the size of the space) */
  budget: number;
  seed?: number;
  /** results so far (any order); guided search adapts to them, every method skips them */
  evaluated?: readonly Pick<EvaluatedPoint, 'index' | 'score'>[];
  /** guided: points per exploitation round (default ⌈budget/10⌉) */
  batchSize?: number;
  /** guided: share of the budget spent on seeded random exploration first (default 0.3) */
  exploreFraction?: number;
  /** guided: chance that an exploitation slot explores instead (default 0.1) */
  epsilon?: number;
  /** guided: how many of the best results are mutated (default 5) */
  topK?: number;
}

/**
 * The next batch of points to evaluate: a pure function of the input, so a coordinator can hand
 * a batch to workers, collect the scores in any order and call it again with them.
 *   grid   — every point, in index order; a space larger than the budget is an error (a
 *            truncated grid would silently cover only a corner of the space).
 *   random — the first `budget` points of a seeded random permutation, without repeats.
 *   guided — the first ⌈exploreFraction·budget⌉ points of that same permutation, then rounds of
 *            `batchSize`: each slot mutates one of the top-k results to a neighbouring grid point
 *            (one axis, ±1 step, or ±2 one time in four), or with probability epsilon takes a
 *            random unvisited point. Each round's PRNG is seeded by (seed, results so far), and the
 *            results are ranked before use, so the plan does not depend on evaluation order.
 * An empty batch means the search is finished. No point is ever planned twice.
 */
export function planCandidates(input: PlanInput): Candidate[] {
  const cs = 'axes' in input.space ? (input.space as CompiledSpace) : compileSpace(input.space as ParamSpace);
  const { method } = input;
  const seed = (input.seed ?? 0) >>> 0;
  if (!Number.isInteger(input.budget) || input.budget < 1) throw new RangeError('budget must be a positive integer');
  const budget = Math.min(input.budget, cs.count);
  const evaluated = input.evaluated ?? [];
  const visited = new Set<number>();
  for (const e of evaluated) visited.add(e.index);
  const remaining = budget - visited.size;
  if (remaining <= 0) return [];
  const toCandidates = (indices: number[]) =>
    indices.filter((k) => !visited.has(k)).map((index) => ({ index, params: pointAt(cs, index) }));

  if (method === 'grid') {
    if (cs.count > input.budget) {
      throw new RangeError(
        `grid search needs ${cs.count} evaluations but the budget is ${input.budget}; raise it or use random/guided`,
      );
    }
    return toCandidates(Array.from({ length: cs.count }, (_, k) => k));
  }
  if (method === 'random') return toCandidates(permutationPrefix(cs.count, budget, seed)).slice(0, remaining);
  if (method !== 'guided') throw new RangeError(`unknown search method: ${String(method)}`);

  const exploreFraction = input.exploreFraction ?? 0.3;
  const explore = Math.max(1, Math.min(budget, Math.ceil(exploreFraction * budget)));
  const explorePlan = toCandidates(permutationPrefix(cs.count, explore, seed));
  if (explorePlan.length > 0 && visited.size < explore) return explorePlan.slice(0, explore - visited.size);

  const batchSize = Math.min(remaining, input.batchSize ?? Math.max(1, Math.ceil(budget / 10)));
  const epsilon = input.epsilon ?? 0.1;
  const topK = input.topK ?? 5;
  const rnd = mulberry32(mixSeed(seed, visited.size, 0x6775));
  const ranked = [...evaluated].sort(compareResults);
  const parents = ranked.slice(0, Math.max(1, topK)).map((r) => r.index);
  const out: number[] = [];
  for (let slot = 0; slot < batchSize && visited.size < cs.count; slot++) {
    let next = -1;
    if (parents.length > 0 && rnd() >= epsilon) {
      // Bias towards the best parent: rnd()² puts more mass on low ranks.
      const parent = parents[Math.floor(rnd() * rnd() * parents.length)];
      next = neighbour(cs, parent, visited, rnd);
    }
    if (next < 0) next = randomUnvisited(cs.count, visited, rnd);
    if (next < 0) break;
    visited.add(next);
    out.push(next);
  }
  return out.map((index) => ({ index, params: pointAt(cs, index) }));
}

/** First m entries of a seeded Fisher–Yates shuffle of 0..count-1, O(m) time and memory. */
export function permutationPrefix(count: number, m: number, seed: number): number[] {
  const rnd = mulberry32(mixSeed(seed, 0x72616e64));
  const swapped = new Map<number, number>();
  const out: number[] = [];
  const take = Math.min(m, count);
  for (let k = 0; k < take; k++) {
    const j = k + Math.floor(rnd() * (count - k));
    const vj = swapped.get(j) ?? j;
    const vk = swapped.get(k) ?? k;
    swapped.set(j, vk);
    out.push(vj);
  }
  return out;
}

function neighbour(cs: CompiledSpace, parent: number, visited: Set<number>, rnd: () => number): number {
  const dims: number[] = [];
  for (let d = 0; d < cs.axes.length; d++) if (cs.axes[d].length > 1) dims.push(d);
  if (dims.length === 0) return -1;
  const base = coordinatesAt(cs, parent);
  for (let attempt = 0; attempt < 24; attempt++) {
    const coords = base.slice();
    // Widen the search after failed attempts: later tries move along two axes and further.
    const moves = attempt < 8 ? 1 : 2;
    for (let m = 0; m < moves; m++) {
      const d = dims[Math.floor(rnd() * dims.length)];
      const reach = (attempt < 16 ? 1 : 3) + (rnd() < 0.25 ? 1 : 0);
      const delta = (1 + Math.floor(rnd() * reach)) * (rnd() < 0.5 ? -1 : 1);
      const size = cs.axes[d].length;
      coords[d] = Math.min(size - 1, Math.max(0, coords[d] + delta));
    }
    const idx = indexOf(cs, coords);
    if (!visited.has(idx)) return idx;
  }
  return -1;
}

function randomUnvisited(count: number, visited: Set<number>, rnd: () => number): number {
  if (visited.size >= count) return -1;
  for (let tries = 0; tries < 64; tries++) {
    const k = Math.floor(rnd() * count);
    if (!visited.has(k)) return k;
  }
  // Nearly full space: scan from a random start.
  const start = Math.floor(rnd() * count);
  for (let j = 0; j < count; j++) {
    const k = (start + j) % count;
    if (!visited.has(k)) return k;
  }
  return -1;
}
