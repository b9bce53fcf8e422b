import { CommissionSchema, SizingSchema } from '@ballast/core/backtest/config.js';
import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { ParamSpaceSchema } from '@ballast/core/optimiser/space.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { CANDLE_INTERVALS, SYMBOL_PATTERN } from '../market-data/index.js';
import { positiveDecimal } from '../trading/index.js';
import { OPTIMISATION_ID } from './ids.js';
import { MAX_CANDIDATES } from './optimisation-jobs.js';
import { OPTIMISATION_METHODS, OPTIMISATION_OBJECTIVES } from './optimisation-store.js';
import { STRATEGY_IDS } from './schemas.js';

const fraction = z.number().check(z.gte(0), z.lte(1));
const DATE_OR_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const dateOrInstant = z.string().check(
  z.regex(DATE_OR_INSTANT, 'must be a date (YYYY-MM-DD) or an ISO 8601 instant'),
  z.refine((s) => Number.isFinite(Date.parse(s)), 'is not a real date'),
);

export const optimisationParams = lazy(() =>
  z.strictObject({ optimisationId: z.string().check(z.regex(OPTIMISATION_ID, 'is not an optimisation id')) }),
);

export const constraintsSchema = z.strictObject({
  /** the worst peak-to-trough fall allowed, as a positive fraction (0.15 = 15%) */
  maxDrawdown: z.optional(fraction),
  minTrades: z.optional(integer.check(z.gte(0), z.lte(1_000_000))),
  minWinRate: z.optional(fraction),
  minProfitFactor: z.optional(z.number().check(z.gte(0), z.lte(1e6))),
  minSharpe: z.optional(z.number().check(z.gte(-100), z.lte(100))),
});

export const createOptimisationBody = lazy(() =>
  z
    .strictObject({
      strategy: z.enum(STRATEGY_IDS),
      /** per parameter: `{values: […]}` or `{min, max, step}` (core's ParamSpaceSchema) */
      space: ParamSpaceSchema,
      /** parameters held fixed under every candidate (what is left out takes the strategy's default) */
      baseParams: z._default(z.record(z.string(), z.unknown()), {}),
      method: z.enum(OPTIMISATION_METHODS),
      /** the search's budget: a grid larger than this is refused */
      maxCandidates: integer.check(z.gte(1), z.lte(MAX_CANDIDATES)),
      seed: z._default(integer.check(z.gte(0), z.lte(4_294_967_295)), 0),
      objective: z.enum(OPTIMISATION_OBJECTIVES),
      constraints: z._default(constraintsSchema, {}),
      /** `folds`: out-of-sample windows; `inSamplePct`: the share of each window pair in sample (percent) */
      walkForward: z.optional(
        z.strictObject({
          folds: integer.check(z.gte(1), z.lte(20)),
          inSamplePct: z.number().check(z.gte(10), z.lte(95)),
        }),
      ),
      symbol: z.string().check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "EUR-USD"')),
      interval: z.enum(CANDLE_INTERVALS),
      from: dateOrInstant,
      to: dateOrInstant,
      // the backtest settings, as a backtest takes them; what is left out takes core's default
      initialCapital: z.optional(positiveDecimal),
      currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/, 'is not an ISO 4217 code'))),
      commission: z.optional(CommissionSchema),
      slippageBps: z.optional(z.number().check(z.gte(0), z.lte(1000))),
      sizing: z.optional(SizingSchema),
      quantityStep: z.optional(z.number().check(z.gte(0), z.lte(1e9))),
      allowShort: z.optional(z.boolean()),
      onOpposite: z.optional(z.enum(['reverse', 'close', 'ignore'])),
      periodsPerYear: z.optional(z.number().check(z.gt(0), z.lte(1e6))),
      riskFree: z.optional(z.number().check(z.gte(-1), z.lte(1))),
    })
    .check(
      z.refine((b) => Date.parse(b.from) <= Date.parse(b.to), { error: 'must not be after `to`', path: ['from'] }),
    ),
);
export type CreateOptimisationBody = z.output<ReturnType<typeof createOptimisationBody>>;

const nullableNumber = z.nullable(z.number());
const constraintOutcome = z.object({
  name: z.string(),
  limit: z.number(),
  value: nullableNumber,
  passed: z.boolean(),
});
const ranked = z.object({
  rank: integer,
  index: integer,
  params: z.record(z.string(), z.unknown()),
  score: nullableNumber,
  passed: z.boolean(),
});
const lookAhead = z.object({
  biased: z.boolean(),
  cuts: z.array(integer),
  barsChecked: integer,
  changed: z.array(
    z.object({
      bar: integer,
      time: z.string(),
      cut: integer,
      full: z.nullable(z.string()),
      truncated: z.nullable(z.string()),
    }),
  ),
});

export const optimisation = lazy(() =>
  z.object({
    optimisationId: z.string(),
    status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
    strategy: z.string(),
    space: z.record(z.string(), z.unknown()),
    baseParams: z.record(z.string(), z.unknown()),
    method: z.enum(OPTIMISATION_METHODS),
    maxCandidates: integer,
    seed: integer,
    objective: z.enum(OPTIMISATION_OBJECTIVES),
    constraints: z.record(z.string(), z.number()),
    walkForward: z.nullable(z.object({ folds: integer, inSamplePct: z.number() })),
    symbol: z.string(),
    interval: z.string(),
    from: z.string(),
    to: z.string(),
    /** core's backtest settings, defaults filled in; the capital as a decimal string */
    config: z.record(z.string(), z.unknown()),
    initialCapital: DecimalStringSchema,
    spaceSize: integer,
    total: integer,
    done: integer,
    /** done / total */
    progress: z.number(),
    round: integer,
    bars: integer,
    firstBarTime: z.string(),
    lastBarTime: z.string(),
    /** the best candidate so far (the winner once completed): passers first, then the objective */
    best: z.nullable(ranked),
    /** when the rest should be done at the rate so far; null before the first chunk and once ended */
    etaAt: z.nullable(z.string()),
    lookAhead: z.nullable(lookAhead),
    error: z.nullable(z.object({ code: z.string(), detail: z.string() })),
    createdAt: z.string(),
    createdBy: z.string(),
    startedAt: z.nullable(z.string()),
    finishedAt: z.nullable(z.string()),
    updatedAt: z.string(),
    version: integer,
  }),
);
export const optimisationPage = lazy(() => pageOf(optimisation()));
export const optimisationQuery = lazy(() => listQuery);

export const resultsQuery = lazy(() =>
  z.extend(listQuery, {
    /** only the candidates that met every constraint (true) or missed one (false) */
    passed: z.optional(z.enum(['true', 'false'])),
  }),
);
export const result = lazy(() =>
  z.object({
    rank: integer,
    index: integer,
    params: z.record(z.string(), z.unknown()),
    score: nullableNumber,
    passed: z.boolean(),
    /** the constraints it missed, by name */
    failed: z.array(z.string()),
    constraints: z.array(constraintOutcome),
    metrics: z.nullable(z.record(z.string(), nullableNumber)),
    error: z.nullable(z.string()),
  }),
);
export const resultPage = lazy(() =>
  z.object({
    items: z.array(result()),
    nextCursor: z.nullable(z.string()),
    status: z.string(),
    done: integer,
    total: integer,
  }),
);

const window = z.object({ from: z.string(), to: z.string(), bars: integer });
const metrics = z.record(z.string(), nullableNumber);
export const walkForwardReport = lazy(() =>
  z.object({
    optimisationId: z.string(),
    folds: z.array(
      z.object({
        fold: integer,
        inSample: window,
        outOfSample: window,
        /** the fold's in-sample winner */
        params: z.record(z.string(), z.unknown()),
        inSampleScore: nullableNumber,
        outOfSampleScore: nullableNumber,
        inSampleMetrics: metrics,
        outOfSampleMetrics: metrics,
        evaluations: integer,
      }),
    ),
    inSampleBars: integer,
    outOfSampleBars: integer,
    positiveOutOfSampleSharpeShare: z.number(),
    aggregate: metrics,
    overfitting: z.object({
      meanIsSharpe: nullableNumber,
      meanOosSharpe: nullableNumber,
      sharpeDegradation: nullableNumber,
      walkForwardEfficiency: nullableNumber,
      degradedWindows: nullableNumber,
      likelyOverfit: z.boolean(),
    }),
  }),
);

const described = z.object({ name: z.string(), title: z.string(), description: z.string() });
export const methodList = lazy(() => z.object({ items: z.array(described) }));
export const objectiveList = lazy(() =>
  z.object({ items: z.array(z.extend(described, { metric: z.string(), higherIsBetter: z.boolean() })) }),
);
