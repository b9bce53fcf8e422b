import { runBacktest } from '@ballast/core/backtest/engine.js';
import type { BacktestMetrics } from '@ballast/core/backtest/types.js';
import { compareResults, sliceSeries, walkForward, type CompiledSpace } from '@ballast/core/optimiser/index.js';
import { pointAt } from '@ballast/core/optimiser/space.js';
import { type AnyStrategy, strategies } from '@ballast/core/strategies/index.js';
import type { CandleSeries, Signal } from '@ballast/core/strategies/types.js';
import * as z from 'zod/mini';
import type { CandleInterval, StoredBars } from '../market-data/index.js';
import {
  CONSTRAINT_NAMES,
  type ConstraintOutcome,
  type LookAheadReport,
  type OptimisationConstraints,
  type OptimisationObjective,
  type OptimisationResult,
  type OptimisationSpec,
  type OptimisationStore,
  type RankedCandidate,
} from './optimisation-store.js';

/**
 * Optimisation, the use case: what one candidate scores, which constraints it meets, how the
 * results rank, the walk-forward report and the look-ahead check. Pure over the candles; the
 * jobs (optimisation-jobs.ts) move the work between workers and the store.
 */

/** Bars an optimisation reads at most. */
export const MAX_BARS = 1_000_000;
/** Look-ahead check: cut points along the series. */
const LOOK_AHEAD_CUTS = 5;
const LOOK_AHEAD_REPORTED = 50;
/** DynamoDB numbers stop at 1e126; an infinite objective (a profit factor with no losses) is stored as ±1e125. */
const STORED_INFINITY = 1e125;

export function strategyOf(name: string): AnyStrategy | undefined {
  const found: AnyStrategy | undefined = Object.entries(strategies).find(([id]) => id === name)?.[1];
  return found;
}

/** DynamoDB numbers are at least 1e-130 in magnitude: anything smaller is stored as 0. */
const STORED_TINY = 1e-120;
const storable = (x: number) =>
  Math.abs(x) < STORED_TINY ? 0 : Math.max(-STORED_INFINITY, Math.min(STORED_INFINITY, x));

/** A score as stored and shown: NaN (not computable) is null; ±Infinity keeps its place in the ranking. */
export function storedScore(x: number): number | null {
  return Number.isNaN(x) ? null : storable(x);
}

/** Every metric of the report, finite or null (JSON and DynamoDB hold no NaN or Infinity). */
export function metricsRecord(m: BacktestMetrics): Record<string, number | null> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isFinite(v) ? storable(v) : null]));
}

/**
 * Request numbers DynamoDB cannot hold (non-zero and below 1e-100 in magnitude, such as a
 * commission rate of 5e-324), by field path: refused with a 400 rather than failing the write.
 */
export function unstorableNumbers(value: unknown, path: string): string[] {
  if (typeof value === 'number') return value !== 0 && Math.abs(value) < 1e-100 ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableNumbers(v, `${path}.${i}`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => unstorableNumbers(v, `${path}.${k}`));
  }
  return [];
}

/** What each constraint asks of a backtest's metrics, in the fixed order of CONSTRAINT_NAMES. */
export function constraintOutcomes(c: OptimisationConstraints, m: BacktestMetrics): ConstraintOutcome[] {
  const out: ConstraintOutcome[] = [];
  for (const name of CONSTRAINT_NAMES) {
    const limit = c[name];
    if (limit === undefined) continue;
    const value =
      name === 'maxDrawdown'
        ? -m.maxDrawdown
        : name === 'minTrades'
          ? m.tradeCount
          : name === 'minWinRate'
            ? m.winRate
            : name === 'minProfitFactor'
              ? m.profitFactor
              : m.sharpe;
    // NaN (no trades, no losses to divide by) meets no bound
    const passed = name === 'maxDrawdown' ? value <= limit : value >= limit;
    out.push({ name, limit, value: Number.isNaN(value) ? null : (storedScore(value) ?? null), passed });
  }
  return out;
}

/** The candidate's parameters: the base ones under its point in the space. */
export function candidateParams(spec: Pick<OptimisationSpec, 'baseParams'>, cs: CompiledSpace, index: number) {
  return { ...spec.baseParams, ...pointAt(cs, index) };
}

/** One candidate's backtest on the candles: its objective, its constraints, every metric. */
export function evaluateCandidate(
  spec: OptimisationSpec,
  strategy: AnyStrategy,
  candles: CandleSeries,
  cs: CompiledSpace,
  index: number,
  where: { round: number; chunk: number },
): OptimisationResult {
  const params = candidateParams(spec, cs, index);
  let metrics: BacktestMetrics;
  try {
    metrics = runBacktest({ candles, strategy, params, config: spec.config }).metrics;
  } catch (e) {
    // a combination the strategy's schema refuses (fast ≥ slow) is a result that ranks last
    if (!(e instanceof z.core.$ZodError)) throw e;
    const reason = e.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
    return { index, params, score: null, passed: false, constraints: [], metrics: null, error: reason, ...where };
  }
  const constraints = constraintOutcomes(spec.constraints, metrics);
  return {
    index,
    params,
    score: storedScore(metrics[spec.objective]),
    passed: constraints.every((c) => c.passed),
    constraints,
    metrics: metricsRecord(metrics),
    ...where,
  };
}

type Rankable = Pick<OptimisationResult, 'index' | 'score' | 'passed'>;

/**
 * The one ranking: candidates that meet every constraint first, then the rest; within each group
 * core's order (objective descending, not computable last, ties by index), so it depends on the
 * set of results only — never on which worker ran what, or when.
 */
export function compareCandidates(a: Rankable, b: Rankable): number {
  if (a.passed !== b.passed) return a.passed ? -1 : 1;
  return compareResults({ index: a.index, score: a.score ?? NaN }, { index: b.index, score: b.score ?? NaN });
}

export function rankCandidates<T extends Rankable>(results: readonly T[]): Array<T & { rank: number }> {
  return [...results].sort(compareCandidates).map((r, k) => ({ ...r, rank: k + 1 }));
}

export const rankedOf = (r: OptimisationResult, rank: number): RankedCandidate => ({
  rank,
  index: r.index,
  params: r.params,
  score: r.score,
  passed: r.passed,
});

/**
 * The walk-forward windows for `folds` out-of-sample windows with `inSamplePct` of each window
 * pair in sample: out-of-sample length ⌊n / (r + folds)⌋ with r = pct / (100 − pct), in-sample
 * ⌊r × that⌋; the most recent bars are used, so exactly `folds` windows tile the end of the series.
 */
export function walkForwardSizes(n: number, folds: number, inSamplePct: number) {
  const ratio = inSamplePct / (100 - inSamplePct);
  const outOfSample = Math.floor(n / (ratio + folds));
  const inSample = Math.floor(ratio * outOfSample);
  const used = inSample + folds * outOfSample;
  return { inSample, outOfSample, start: n - used, ok: outOfSample >= 2 && inSample >= 2 };
}

/**
 * The walk-forward objective: the optimisation's own, NaN where a constraint fails, so each fold's
 * in-sample winner is chosen the way the optimisation chooses its winner.
 */
export function walkForwardObjective(spec: Pick<OptimisationSpec, 'objective' | 'constraints'>) {
  return (r: { metrics: BacktestMetrics }) =>
    constraintOutcomes(spec.constraints, r.metrics).every((c) => c.passed) ? r.metrics[spec.objective] : NaN;
}

const metricsOrNull = (m: BacktestMetrics) => metricsRecord(m);
const finiteOrNull = (x: number) => (Number.isFinite(x) ? storable(x) : null);

/** Core's walk-forward on the optimisation's candles and search, reported without trades or curves. */
export function walkForwardReport(spec: OptimisationSpec, strategy: AnyStrategy, candles: CandleSeries) {
  const wf = spec.walkForward;
  if (!wf) return undefined;
  const sizes = walkForwardSizes(candles.length, wf.folds, wf.inSamplePct);
  const bars = sliceSeries(candles, sizes.start, candles.length);
  const result = walkForward({
    candles: bars,
    strategy,
    space: spec.space,
    objective: walkForwardObjective(spec),
    inSample: sizes.inSample,
    outOfSample: sizes.outOfSample,
    method: spec.method,
    budget: spec.maxCandidates,
    seed: spec.seed,
    baseParams: spec.baseParams,
    config: spec.config,
  });
  const time = (i: number) => new Date(bars.time[i]).toISOString();
  const folds = result.windows.map((w, fold) => ({
    fold,
    inSample: { from: time(w.isStart), to: time(w.isEnd - 1), bars: w.isEnd - w.isStart },
    outOfSample: { from: time(w.oosStart), to: time(w.oosEnd - 1), bars: w.oosEnd - w.oosStart },
    params: w.params,
    inSampleScore: storedScore(w.isScore),
    outOfSampleScore: storedScore(w.oosScore),
    inSampleMetrics: metricsOrNull(w.isMetrics),
    outOfSampleMetrics: metricsOrNull(w.oosMetrics),
    evaluations: w.evaluations,
  }));
  const positive = result.windows.filter((w) => w.oosMetrics.sharpe > 0).length;
  const { equity: _equity, ...aggregate } = result.aggregate;
  const o = result.overfitting;
  return {
    folds,
    inSampleBars: sizes.inSample,
    outOfSampleBars: sizes.outOfSample,
    positiveOutOfSampleSharpeShare: positive / result.windows.length,
    aggregate: Object.fromEntries(Object.entries(aggregate).map(([k, v]) => [k, finiteOrNull(v)])),
    overfitting: {
      meanIsSharpe: finiteOrNull(o.meanIsSharpe),
      meanOosSharpe: finiteOrNull(o.meanOosSharpe),
      sharpeDegradation: finiteOrNull(o.sharpeDegradation),
      walkForwardEfficiency: finiteOrNull(o.walkForwardEfficiency),
      degradedWindows: finiteOrNull(o.degradedWindows),
      likelyOverfit: o.likelyOverfit,
    },
  };
}

const sameLevel = (a: number | null, b: number | null) =>
  a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
const sameSignal = (a: Signal | null, b: Signal | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.side === b.side &&
    sameLevel(a.entry, b.entry) &&
    sameLevel(a.stop, b.stop) &&
    sameLevel(a.target, b.target));

/**
 * The look-ahead check (freqtrade's lookahead-analysis): the strategy's signals on the whole
 * series against its signals with the bars after a cut removed, at several cuts; a causal
 * strategy gives the same signal at every bar up to the cut. Any difference is reported.
 */
export function lookAheadCheck(strategy: AnyStrategy, candles: CandleSeries, params: unknown): LookAheadReport {
  const parsed = strategy.params.parse(params);
  const n = candles.length;
  const full = strategy.prepare(candles, parsed);
  const cuts = [
    ...new Set(Array.from({ length: LOOK_AHEAD_CUTS }, (_, k) => Math.floor(((k + 1) * n) / (LOOK_AHEAD_CUTS + 1)))),
  ].filter((c) => c >= 1 && c < n - 1);
  const changed: LookAheadReport['changed'] = [];
  let barsChecked = 0;
  let biased = false;
  for (const cut of cuts) {
    const truncated = strategy.prepare(sliceSeries(candles, 0, cut + 1), parsed);
    for (let i = 0; i <= cut; i++) {
      barsChecked++;
      const a = strategy.signal(full, i);
      const b = strategy.signal(truncated, i);
      if (sameSignal(a, b)) continue;
      biased = true;
      if (changed.length < LOOK_AHEAD_REPORTED) {
        changed.push({
          bar: i,
          time: new Date(candles.time[i]).toISOString(),
          cut,
          full: a?.side ?? null,
          truncated: b?.side ?? null,
        });
      }
    }
  }
  return { biased, cuts, barsChecked, changed };
}

const DAY_MS = 86_400_000;
/** `to` as a date is the whole day. */
export function rangeOf(spec: Pick<OptimisationSpec, 'from' | 'to'>) {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(spec.to);
  return { fromMs: Date.parse(spec.from), toMs: Date.parse(spec.to) + (dateOnly ? DAY_MS - 1 : 0) };
}

/** The stored bars of the optimisation's symbol and interval that opened in [from, to] (at most MAX_BARS). */
export function readRange(
  candles: {
    range(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, limit: number): Promise<StoredBars>;
  },
  spec: Pick<OptimisationSpec, 'symbol' | 'interval' | 'from' | 'to'>,
): Promise<CandleSeries> {
  const { fromMs, toMs } = rangeOf(spec);
  return candles.range(spec.symbol, spec.interval, fromMs, toMs, MAX_BARS);
}

/** The best candidate so far, from each evaluated chunk's best. */
export function bestOfChunks(chunks: ReadonlyArray<{ best: Rankable | null }>): Rankable | undefined {
  let best: Rankable | undefined;
  for (const c of chunks) if (c.best && (!best || compareCandidates(c.best, best) < 0)) best = c.best;
  return best;
}

/**
 * The winner of a completed optimisation (another context's entry point, e.g. a playbook made
 * from it): its rank-1 candidate, the parameters it ran with, its objective and its metrics;
 * undefined when there is no such optimisation, it has not completed, or it evaluated nothing.
 */
export async function optimisationWinner(store: OptimisationStore, optimisationId: string) {
  const record = await store.get(optimisationId);
  if (!record || record.status !== 'completed' || !record.best) return undefined;
  const results = await store.results(optimisationId);
  const result = results.find((r) => r.index === record.best?.index);
  return {
    optimisationId,
    strategy: record.strategy,
    symbol: record.symbol,
    interval: record.interval,
    objective: record.objective satisfies OptimisationObjective,
    best: record.best,
    metrics: result?.metrics ?? null,
    constraints: result?.constraints ?? [],
    lookAhead: record.lookAhead ?? null,
  };
}

const numberField = (o: unknown, name: string): number | undefined => {
  if (typeof o !== 'object' || o === null) return undefined;
  const v: unknown = Object.getOwnPropertyDescriptor(o, name)?.value;
  return typeof v === 'number' ? v : undefined;
};
const field = (o: unknown, name: string): unknown =>
  typeof o === 'object' && o !== null ? Object.getOwnPropertyDescriptor(o, name)?.value : undefined;

/** The strategy's parameters as its JSON Schema describes them: name → property schema. */
export function parameterSchemas(strategy: AnyStrategy): Map<string, unknown> {
  const schema = z.toJSONSchema(strategy.params, { io: 'input', unrepresentable: 'any' });
  const properties = field(schema, 'properties');
  return new Map(typeof properties === 'object' && properties !== null ? Object.entries(properties) : []);
}

/** Why `value` does not fit the parameter's schema (type, bounds, enum), or undefined. */
function valueProblem(property: unknown, value: unknown): string | undefined {
  const type = field(property, 'type');
  const choices = field(property, 'enum');
  if (Array.isArray(choices)) return choices.includes(value) ? undefined : `must be one of ${choices.join(', ')}`;
  if (type === 'boolean') return typeof value === 'boolean' ? undefined : 'must be true or false';
  if (type === 'string') return typeof value === 'string' ? undefined : 'must be a string';
  if (type === 'integer' || type === 'number') {
    if (typeof value !== 'number') return 'must be a number';
    if (type === 'integer' && !Number.isInteger(value)) return 'must be an integer';
    const min = numberField(property, 'minimum');
    const max = numberField(property, 'maximum');
    if (min !== undefined && value < min) return `must be at least ${min}`;
    if (max !== undefined && value > max) return `must be at most ${max}`;
  }
  return undefined;
}

/**
 * What is wrong with a space (and the fixed parameters) for this strategy: parameters it does not
 * have, and values outside a parameter's type or range, each at its field path. Combinations the
 * strategy refuses as a whole (fast ≥ slow) are not errors here: they are evaluated as invalid
 * candidates and rank last.
 */
export function spaceProblems(
  strategy: AnyStrategy,
  space: OptimisationSpec['space'],
  baseParams: Record<string, unknown>,
): Array<{ path: string; message: string }> {
  const known = parameterSchemas(strategy);
  const problems: Array<{ path: string; message: string }> = [];
  const names = [...known.keys()].join(', ');
  for (const [name, domain] of Object.entries(space)) {
    const property = known.get(name);
    if (!known.has(name)) {
      problems.push({ path: `body.space.${name}`, message: `is not a parameter of ${strategy.id} (${names})` });
      continue;
    }
    const values = 'values' in domain ? domain.values : [domain.min, domain.max];
    for (const value of values) {
      const why = valueProblem(property, value);
      if (why) problems.push({ path: `body.space.${name}`, message: `${JSON.stringify(value)} ${why}` });
    }
    if (!('values' in domain) && field(property, 'type') === 'integer' && !Number.isInteger(domain.step)) {
      problems.push({ path: `body.space.${name}.step`, message: 'must be an integer: the parameter is one' });
    }
  }
  for (const [name, value] of Object.entries(baseParams)) {
    const why = known.has(name) ? valueProblem(known.get(name), value) : `is not a parameter of ${strategy.id}`;
    if (why) problems.push({ path: `body.baseParams.${name}`, message: why });
  }
  return problems;
}
