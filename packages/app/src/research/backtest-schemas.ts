import { BacktestConfigSchema } from '@ballast/core/backtest/config.js';
import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { CANDLE_INTERVALS, SYMBOL_PATTERN } from '../market-data/index.js';
import { positiveDecimal } from '../trading/index.js';
import { BACKTEST_ID } from './ids.js';
import { STRATEGY_IDS } from './schemas.js';

/** The most points a stored (and shown) downsampled curve holds. */
export const CURVE_POINTS = 2000;
/** The most points of the full curve one `/equity` answer carries (a Lambda answer is at most 6 MB). */
export const MAX_EQUITY_PAGE = 50_000;
/** The most trades one `/trades` page carries. */
export const MAX_TRADES_PAGE = 200;

/** A date (`2026-01-31`, that day's 00:00 UTC) or an ISO 8601 date-time with its offset. */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * `POST /v1/backtests`. The simulator's settings are @ballast/core's own schemas
 * (BacktestConfigSchema's fields, their ranges and defaults): a field left out takes the
 * library's default, so the service and the library agree. Only the initial capital differs at
 * the edge: money comes in as a decimal string (core's default when absent).
 */
export const backtestBody = lazy(() => {
  const { initialCapital: _float, ...config } = BacktestConfigSchema.shape;
  return z.strictObject({
    strategy: z.enum(STRATEGY_IDS),
    /** the strategy's parameters; what is left out takes the strategy's default */
    params: z._default(z.record(z.string(), z.unknown()), {}),
    symbol: z.string().check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "EUR-USD"')),
    interval: z.enum(CANDLE_INTERVALS),
    /** the stored bars whose open lies in [from, to] */
    from: instant,
    to: instant,
    initialCapital: z.optional(positiveDecimal),
    ...config,
  });
});
export type BacktestBody = z.output<ReturnType<typeof backtestBody>>;

export const backtestParams = lazy(() =>
  z.strictObject({ backtestId: z.string().check(z.regex(BACKTEST_ID, 'is not a backtest id')) }),
);

/** A figure that can be undefined (no trades, no losses): null then. */
const figure = z.nullable(z.number());
const request = z.object({
  strategy: z.string(),
  params: z.record(z.string(), z.unknown()),
  symbol: z.string(),
  interval: z.string(),
  from: z.string(),
  to: z.string(),
  initialCapital: DecimalStringSchema,
  currency: z.string(),
  commission: z.object({ perShare: z.number(), rate: z.number(), fixed: z.number(), minimum: z.number() }),
  slippageBps: z.number(),
  sizing: z.union([
    z.object({ mode: z.literal('percent'), percent: z.number() }),
    z.object({ mode: z.literal('risk'), riskPercent: z.number(), maxPercent: z.number() }),
  ]),
  quantityStep: z.number(),
  allowShort: z.boolean(),
  onOpposite: z.enum(['reverse', 'close', 'ignore']),
  periodsPerYear: z.number(),
  riskFree: z.number(),
  startIndex: integer,
});
const money = z.object({
  currency: z.string(),
  initialCapital: DecimalStringSchema,
  finalEquity: DecimalStringSchema,
  netProfit: DecimalStringSchema,
  grossProfit: DecimalStringSchema,
  grossLoss: DecimalStringSchema,
  totalCommission: DecimalStringSchema,
  totalSlippage: DecimalStringSchema,
  maxDrawdownAbs: DecimalStringSchema,
  expectancy: z.nullable(DecimalStringSchema),
});
const point = z.object({ time: z.string(), equity: DecimalStringSchema, drawdown: z.number() });

const summaryShape = {
  backtestId: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  /** bars simulated of the bars traded (from startIndex to the last bar) */
  progress: z.object({ done: integer, total: integer }),
  /** the request as run: every field left out filled with @ballast/core's default */
  request,
  /** `inline`: it ran in the request; `job`: on the jobs spine */
  runner: z.enum(['inline', 'job']),
  bars: z.nullable(integer),
  firstBarTime: z.nullable(z.string()),
  lastBarTime: z.nullable(z.string()),
  /** @ballast/core's metrics (ratios as numbers; money figures rounded to the minor unit); null until completed */
  metrics: z.nullable(z.record(z.string(), figure)),
  money: z.nullable(money),
  tradeCount: z.nullable(integer),
  skippedSignals: z.nullable(integer),
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  startedAt: z.nullable(z.string()),
  finishedAt: z.nullable(z.string()),
  version: integer,
};
export const backtestSummary = lazy(() => z.object(summaryShape));
export const backtest = lazy(() =>
  z.object({
    ...summaryShape,
    /** ≤ 2,000 points (LTTB) keeping the first and last bars, the equity's max and min and the deepest drawdown */
    curve: z.nullable(z.object({ points: integer, items: z.array(point) })),
  }),
);
export const accepted = lazy(() => z.object({ backtestId: z.string(), status: z.literal('pending') }));
export const backtestPage = lazy(() => pageOf(backtestSummary()));
export const backtestQuery = lazy(() => listQuery);

const trade = z.object({
  side: z.enum(['long', 'short']),
  quantity: DecimalStringSchema,
  entryTime: z.string(),
  exitTime: z.string(),
  entryPrice: DecimalStringSchema,
  exitPrice: DecimalStringSchema,
  stopLoss: z.nullable(DecimalStringSchema),
  takeProfit: z.nullable(DecimalStringSchema),
  commission: DecimalStringSchema,
  slippage: DecimalStringSchema,
  grossPnl: DecimalStringSchema,
  pnl: DecimalStringSchema,
  returnPct: z.number(),
  barsHeld: integer,
  exitReason: z.enum(['stop', 'target', 'signal', 'end']),
  reason: z.string(),
  confidence: z.number(),
});
export type RenderedTrade = z.output<typeof trade>;
export const tradePage = lazy(() => pageOf(trade));
export const tradeQuery = lazy(() => listQuery);

export const equityQuery = lazy(() =>
  z.strictObject({
    format: z._default(z.enum(['json', 'csv']), 'json'),
    /** the first point (index into the full curve) and how many: the whole curve fits unless it is very long */
    offset: z._default(z.coerce.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gte(0)), 0),
    count: z._default(
      z.coerce.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gte(1), z.lte(MAX_EQUITY_PAGE)),
      MAX_EQUITY_PAGE,
    ),
  }),
);
export const equityCurve = lazy(() =>
  z.object({
    backtestId: z.string(),
    /** points of the full curve (one a bar), and where this answer starts */
    points: integer,
    offset: integer,
    /** the offset of the next part, null at the end */
    nextOffset: z.nullable(integer),
    items: z.array(point),
  }),
);
/** JSON (`format=json`, application/json) or the CSV text (`format=csv`, text/csv) */
export const equityAnswer = lazy(() => z.union([z.string(), equityCurve()]));
