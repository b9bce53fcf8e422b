import { BacktestConfigSchema, type BacktestConfigInput } from '@ballast/core/backtest/config.js';
import { downsampleCurve } from '@ballast/core/backtest/downsample.js';
import { backtestSteps, runBacktest } from '@ballast/core/backtest/engine.js';
import type { BacktestResult, Trade } from '@ballast/core/backtest/types.js';
import { Dec, decimalString, formatMoney } from '@ballast/core/money.js';
import { type AnyStrategy, strategies } from '@ballast/core/strategies/index.js';
import type { TenantBlobs } from '@ballast/platform/data/blobs.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest } from '@ballast/platform/errors.js';
import type { StoredBars } from '../market-data/index.js';
import { type BacktestBody, CURVE_POINTS, type RenderedTrade } from './backtest-schemas.js';
import type { BacktestOutcome, BacktestRequest, BacktestStore, StoredBacktest, StoredCurve } from './backtest-store.js';

/** Backtests of at most this many bars run in the request (201); longer ones on the jobs spine (202). */
export const INLINE_MAX_BARS = 200_000;
/** The most bars one backtest reads (a worker holds them, the curve and the strategy's state in memory). */
export const MAX_BARS = 1_000_000;
/** A job's run reports its progress this many times (every 5%). */
export const PROGRESS_REPORTS = 20;
/** The trade log is stored in parts of this many trades (a page of ≤ 200 reads one part or two). */
export const TRADES_PER_PART = 1000;
/** A running job that has not written for this long has died (its worker's timeout is 15 minutes). */
export const STALE_RUN_MS = 20 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();
/** strategy levels and fills become prices here: 6 places, beyond any tick size (as signals do) */
const PRICE_PLACES = 6;
const QUANTITY_PLACES = 8;
const price = (x: number) => decimalString(new Dec(x).toDecimalPlaces(PRICE_PLACES));
const priceOrNull = (x: number | null) => (x === null || !Number.isFinite(x) ? null : price(x));
const moneyOf = (x: number, currency: string) => formatMoney(new Dec(x), currency);

/** The blob names of a backtest (inside the project's prefix): its full curve and its trade log's parts. */
export const curveBlob = (backtestId: string) => `backtests/${backtestId}/curve.f64`;
export const tradesBlob = (backtestId: string, part: number) => `backtests/${backtestId}/trades/${part}.json`;
export const blobsOf = (b: Pick<StoredBacktest, 'backtestId' | 'outcome'>) => [
  curveBlob(b.backtestId),
  ...Array.from({ length: b.outcome?.tradeParts ?? 0 }, (_, k) => tradesBlob(b.backtestId, k)),
];

/** What a backtest's use cases need of the world (a request's or a job's). */
export interface BacktestPortsShape {
  backtests: BacktestStore;
  blobs: TenantBlobs;
  candles: {
    range(
      symbol: string,
      interval: BacktestBody['interval'],
      fromMs: number,
      toMs: number,
      limit: number,
    ): Promise<StoredBars>;
  };
}

const strategyOf = (name: string): AnyStrategy => {
  if (!Object.hasOwn(strategies, name)) throw new Error(`no strategy ${name}`);
  return strategies[name as keyof typeof strategies];
};

/**
 * The request as it will run: the strategy's parameters and the simulator's settings checked by
 * @ballast/core's own schemas and filled with their defaults (400 with the field's path otherwise).
 */
export function requestOf(body: BacktestBody): BacktestRequest {
  const strategy = strategyOf(body.strategy);
  const params = strategy.params.safeParse(body.params);
  if (!params.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      `The parameters do not fit ${body.strategy}`,
      params.error.issues.map((i) => ({
        path: ['body', 'params', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  const fromMs = Date.parse(body.from);
  const toMs = Date.parse(body.to);
  if (fromMs > toMs) {
    throw badRequest('VALIDATION_FAILED', 'The window ends before it starts', [
      { path: 'body.to', message: 'must not be before from' },
    ]);
  }
  const { strategy: _s, params: _p, symbol, interval, from: _f, to: _t, initialCapital, ...settings } = body;
  const capital = initialCapital ?? String(BacktestConfigSchema.parse({}).initialCapital);
  const config = BacktestConfigSchema.safeParse({ ...settings, initialCapital: Number(capital) });
  if (!config.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      'The backtest settings are out of range',
      config.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
    );
  }
  const { initialCapital: _float, ...filled } = config.data;
  return {
    strategy: body.strategy,
    params: recordOf(params.data),
    symbol,
    interval,
    from: iso(fromMs),
    to: iso(toMs),
    initialCapital: capital,
    ...filled,
  };
}

/** The request's settings as @ballast/core's config (the capital as the float the simulator runs on). */
export function configOf(request: BacktestRequest): BacktestConfigInput {
  const { strategy: _s, params: _p, symbol: _y, interval: _i, from: _f, to: _t, initialCapital, ...settings } = request;
  return { ...settings, initialCapital: Number(initialCapital) };
}

export function readBars(ports: BacktestPortsShape, request: BacktestRequest, limit: number): Promise<StoredBars> {
  const interval = request.interval as BacktestBody['interval'];
  return ports.candles.range(request.symbol, interval, Date.parse(request.from), Date.parse(request.to), limit);
}

/** The refusals a run on these bars meets before it starts (too few, a warm-up past the end). */
export function checkBars(request: BacktestRequest, bars: StoredBars): void {
  if (bars.length < 2) {
    throw new AppError(
      422,
      'NOT_ENOUGH_CANDLES',
      `${bars.length} stored ${request.interval} bar(s) of ${request.symbol} in [${request.from}, ${request.to}]: ` +
        'sync or upload candles first',
    );
  }
  if (request.startIndex >= bars.length) {
    throw new AppError(
      422,
      'NOT_ENOUGH_CANDLES',
      `startIndex ${request.startIndex} is beyond the ${bars.length} stored bars of the window`,
    );
  }
}

const inputOf = (request: BacktestRequest, bars: StoredBars) => ({
  candles: bars,
  strategy: strategyOf(request.strategy),
  params: request.params,
  config: configOf(request),
});

/** core's run, all at once (in a request). */
export const runInline = (request: BacktestRequest, bars: StoredBars) => runBacktest(inputOf(request, bars));

/** core's run in steps (a job reports progress between them): the same result, bit for bit. */
export const runStepped = (request: BacktestRequest, bars: StoredBars) => {
  const traded = bars.length - request.startIndex;
  return backtestSteps(inputOf(request, bars), Math.max(1, Math.ceil(traded / PROGRESS_REPORTS)));
};

/** parsed parameters (a strategy's schema made them: an object) as the record stored and shown */
const recordOf = (x: unknown): Record<string, unknown> =>
  typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x)) : {};

/** A number JSON can carry: NaN and ±Infinity (no trades, no losses) become null. */
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export function outcomeOf(result: BacktestResult, bars: StoredBars): BacktestOutcome {
  const trades = result.metrics.tradeCount;
  return {
    bars: bars.length,
    firstBarTime: iso(bars.time[0]),
    lastBarTime: iso(bars.time[bars.length - 1]),
    metrics: Object.fromEntries(Object.entries(result.metrics).map(([k, v]) => [k, finiteOrNull(v)])),
    money: { ...result.money },
    tradeCount: trades,
    skippedSignals: result.skippedSignals,
    tradeParts: Math.ceil(trades / TRADES_PER_PART),
  };
}

/** The curve a record shows: ≤ CURVE_POINTS points of the full one, the extremes kept (LTTB + extremes). */
export function curveOf(result: BacktestResult, bars: StoredBars): StoredCurve {
  const index = downsampleCurve(bars.time, result.equity, result.drawdown, CURVE_POINTS);
  return {
    index,
    time: index.map((i) => bars.time[i]),
    equity: index.map((i) => result.equity[i]),
    drawdown: index.map((i) => result.drawdown[i]),
  };
}

/** The full curve as it is stored: three float64 columns (time, equity, drawdown), exact. */
export function encodeCurve(time: ArrayLike<number>, equity: Float64Array, drawdown: Float64Array): Uint8Array {
  const n = equity.length;
  const all = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) all[i] = time[i];
  all.set(equity, n);
  all.set(drawdown, 2 * n);
  return new Uint8Array(all.buffer);
}

export function decodeCurve(bytes: Uint8Array): { time: Float64Array; equity: Float64Array; drawdown: Float64Array } {
  // a copy: the bytes may not sit on an 8-byte boundary of their buffer
  const all = new Float64Array(new Uint8Array(bytes).buffer);
  const n = all.length / 3;
  return { time: all.subarray(0, n), equity: all.subarray(n, 2 * n), drawdown: all.subarray(2 * n) };
}

export function renderTrade(t: Trade, currency: string): RenderedTrade {
  return {
    side: t.side,
    quantity: decimalString(new Dec(t.quantity).toDecimalPlaces(QUANTITY_PLACES)),
    entryTime: iso(t.entryTime),
    exitTime: iso(t.exitTime),
    entryPrice: price(t.entryPrice),
    exitPrice: price(t.exitPrice),
    stopLoss: priceOrNull(t.stop),
    takeProfit: priceOrNull(t.target),
    commission: moneyOf(t.commission, currency),
    slippage: moneyOf(t.slippage, currency),
    grossPnl: moneyOf(t.grossPnl, currency),
    pnl: moneyOf(t.pnl, currency),
    returnPct: t.returnPct,
    barsHeld: t.barsHeld,
    exitReason: t.exitReason,
    reason: t.reason,
    confidence: t.confidence,
  };
}

export const renderPoint = (time: number, equity: number, drawdown: number, currency: string) => ({
  time: iso(time),
  equity: moneyOf(equity, currency),
  drawdown,
});

/** Writes the full curve and the trade log (in parts) where the record will point: before the record says so. */
export async function writeBlobs(
  blobs: TenantBlobs,
  backtestId: string,
  result: BacktestResult,
  bars: StoredBars,
  currency: string,
): Promise<void> {
  await blobs.put(
    curveBlob(backtestId),
    encodeCurve(bars.time, result.equity, result.drawdown),
    'application/octet-stream',
  );
  const trades = result.trades;
  const parts: Array<Promise<void>> = [];
  for (let k = 0; k * TRADES_PER_PART < trades.length; k++) {
    const part = trades.slice(k * TRADES_PER_PART, (k + 1) * TRADES_PER_PART).map((t) => renderTrade(t, currency));
    parts.push(blobs.put(tradesBlob(backtestId, k), JSON.stringify(part), 'application/json'));
  }
  await Promise.all(parts);
}

/** The completed record and its curve, staged into `uow`. */
export function stageCompleted(
  store: BacktestStore,
  uow: UnitOfWork,
  before: StoredBacktest,
  expectedVersion: number | undefined,
  result: BacktestResult,
  bars: StoredBars,
  nowMs: number,
): { record: StoredBacktest; curve: StoredCurve } {
  const traded = bars.length - before.request.startIndex;
  const record: StoredBacktest = {
    ...before,
    status: 'completed',
    progress: { done: traded, total: traded },
    outcome: outcomeOf(result, bars),
    updatedAt: iso(nowMs),
    finishedAt: iso(nowMs),
    version: expectedVersion === undefined ? before.version : expectedVersion + 1,
  };
  const curve = curveOf(result, bars);
  store.put(uow, record, expectedVersion);
  store.putCurve(uow, record.backtestId, curve);
  return { record, curve };
}

/**
 * What an audit record keeps of a backtest: ids, what ran and how it ended. No settings or
 * metrics: those are floats of any size, which an audit item (DynamoDB numbers, magnitude 1e-130 …
 * 1e126) cannot all hold; the record itself keeps them (as JSON text).
 */
export function auditView(b: StoredBacktest) {
  return {
    backtestId: b.backtestId,
    status: b.status,
    runner: b.runner,
    strategy: b.request.strategy,
    symbol: b.request.symbol,
    interval: b.request.interval,
    from: b.request.from,
    to: b.request.to,
    initialCapital: b.request.initialCapital,
    ...(b.outcome
      ? { bars: b.outcome.bars, tradeCount: b.outcome.tradeCount, finalEquity: b.outcome.money.finalEquity }
      : {}),
    ...(b.error ? { error: b.error.code } : {}),
  };
}

/** A record as the API shows it (the curve too, when asked for and there is one). */
export function renderBacktest(b: StoredBacktest) {
  const o = b.outcome;
  return {
    backtestId: b.backtestId,
    status: b.status,
    progress: b.progress,
    request: b.request,
    runner: b.runner,
    bars: o?.bars ?? null,
    firstBarTime: o?.firstBarTime ?? null,
    lastBarTime: o?.lastBarTime ?? null,
    metrics: o?.metrics ?? null,
    money: o?.money ?? null,
    tradeCount: o?.tradeCount ?? null,
    skippedSignals: o?.skippedSignals ?? null,
    error: b.error ?? null,
    createdAt: b.createdAt,
    createdBy: b.createdBy,
    updatedAt: b.updatedAt,
    startedAt: b.startedAt ?? null,
    finishedAt: b.finishedAt ?? null,
    version: b.version,
  };
}

export function renderCurve(b: StoredBacktest, curve: StoredCurve | undefined) {
  if (!curve || !b.outcome) return null;
  const currency = b.request.currency;
  return {
    points: b.outcome.bars,
    items: curve.index.map((_, k) => renderPoint(curve.time[k], curve.equity[k], curve.drawdown[k], currency)),
  };
}
