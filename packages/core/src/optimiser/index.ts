// Optimiser: parameter spaces, seeded grid/random/guided search as a pure plan (so workers can
// evaluate batches in any order), deterministic ranking, and walk-forward analysis.
export { mulberry32, mulberry32Advance, mulberry32Output, mixSeed } from './prng.js';
export {
  ParamSpaceSchema,
  compileSpace,
  countSpace,
  pointAt,
  coordinatesAt,
  indexOf,
  type CompiledSpace,
  type ParamDomain,
  type ParamPoint,
  type ParamSpace,
  type ParamValue,
} from './space.js';
export { planCandidates, permutationPrefix, type Candidate, type PlanInput, type SearchMethod } from './plan.js';
export { rankResults, compareResults, type EvaluatedPoint, type RankedResult } from './rank.js';
export {
  optimize,
  optimizeAsync,
  type AsyncBatchEvaluator,
  type BatchEvaluator,
  type OptimizeOptions,
  type OptimizeResult,
} from './optimize.js';
export {
  sliceSeries,
  walkForward,
  walkForwardWindows,
  type BacktestObjective,
  type MetricName,
  type OverfittingReport,
  type WalkForwardAggregate,
  type WalkForwardOptions,
  type WalkForwardResult,
  type WalkForwardWindow,
  type WalkForwardWindowResult,
} from './walk-forward.js';
