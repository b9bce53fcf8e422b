import * as z from 'zod/mini';
import { runBacktest } from '../backtest/engine.js';
import { BacktestConfigSchema, type BacktestConfigInput } from '../backtest/config.js';
import type { BacktestMetrics, BacktestResult, Trade } from '../backtest/types.js';
import { annualReturn, maxDrawdown, profitFactor, sharpeRatio, sortinoRatio, winRate } from '../metrics/index.js';
import type { CandleSeries, Strategy } from '../strategies/types.js';
import { optimize } from './optimize.js';
import type { SearchMethod } from './plan.js';
import type { ParamPoint, ParamSpace } from './space.js';

/** Bar ranges, start inclusive, end exclusive. */
export interface WalkForwardWindow {
  isStart: number;
  isEnd: number;
  oosStart: number;
  oosEnd: number;
}

/**
 * Rolling windows: in-sample [s, s+inSample), out-of-sample right after it
 * [s+inSample, s+inSample+outOfSample), then s += step. `step` defaults to outOfSample so the
 * out-of-sample windows tile the data without overlap; a smaller step is refused (overlapping
 * OOS windows would count the same bars twice). With `anchored`, every in-sample window starts
 * at bar 0 (expanding window). A final partial OOS window is dropped.
 */
export function walkForwardWindows(
  n: number,
  inSample: number,
  outOfSample: number,
  step = outOfSample,
  anchored = false,
): WalkForwardWindow[] {
  for (const [k, v] of [
    ['inSample', inSample],
    ['outOfSample', outOfSample],
    ['step', step],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  if (step < outOfSample)
    throw new RangeError(`step (${step}) must be at least outOfSample (${outOfSample}) so OOS windows do not overlap`);
  const windows: WalkForwardWindow[] = [];
  for (let s = 0; s + inSample + outOfSample <= n; s += step) {
    windows.push({
      isStart: anchored ? 0 : s,
      isEnd: s + inSample,
      oosStart: s + inSample,
      oosEnd: s + inSample + outOfSample,
    });
  }
  return windows;
}

export type MetricName = {
  [K in keyof BacktestMetrics]: BacktestMetrics[K] extends number ? K : never;
}[keyof BacktestMetrics];
export type BacktestObjective = MetricName | ((result: BacktestResult) => number);

export interface WalkForwardOptions<P, S> {
  candles: CandleSeries;
  strategy: Strategy<P, S>;
  space: ParamSpace;
  /** default 'sharpe' */
  objective?: BacktestObjective;
  inSample: number;
  outOfSample: number;
  step?: number;
  anchored?: boolean;
  method: SearchMethod;
  budget: number;
  seed?: number;
  /** parameters held fixed, merged under each candidate point */
  baseParams?: Record<string, unknown>;
  config?: BacktestConfigInput;
}

export interface WalkForwardWindowResult extends WalkForwardWindow {
  params: ParamPoint;
  isScore: number;
  oosScore: number;
  isMetrics: BacktestMetrics;
  oosMetrics: BacktestMetrics;
  oosTrades: Trade[];
  evaluations: number;
}

export interface WalkForwardAggregate {
  /** the OOS windows chained: each window's returns compounded on the previous window's end */
  equity: Float64Array;
  totalReturn: number;
  annualReturn: number;
  sharpe: number;
  sortino: number;
  maxDrawdown: number;
  profitFactor: number;
  winRate: number;
  tradeCount: number;
}

export interface OverfittingReport {
  meanIsSharpe: number;
  meanOosSharpe: number;
  /** meanIsSharpe − meanOosSharpe: large and positive means the in-sample fit did not carry over */
  sharpeDegradation: number;
  /** Pardo's walk-forward efficiency: mean OOS annual return / mean IS annual return */
  walkForwardEfficiency: number;
  /** share of windows whose OOS objective is below its IS objective */
  degradedWindows: number;
  /** efficiency < 0.5 or mean OOS Sharpe ≤ 0 while mean IS Sharpe > 0 */
  likelyOverfit: boolean;
}

export interface WalkForwardResult {
  windows: WalkForwardWindowResult[];
  aggregate: WalkForwardAggregate;
  overfitting: OverfittingReport;
}

function scoreOf(objective: BacktestObjective, r: BacktestResult): number {
  return typeof objective === 'function' ? objective(r) : r.metrics[objective];
}

/** Bars [from, to) of a series: views where the columns are typed arrays, copies otherwise. */
export function sliceSeries(c: CandleSeries, from: number, to: number): CandleSeries {
  const cut = (a: ArrayLike<number>): ArrayLike<number> =>
    a instanceof Float64Array ? a.subarray(from, to) : Array.prototype.slice.call(a, from, to);
  return {
    time: cut(c.time),
    open: cut(c.open),
    high: cut(c.high),
    low: cut(c.low),
    close: cut(c.close),
    volume: cut(c.volume),
    length: to - from,
  };
}

const mean = (xs: number[]): number => {
  let s = 0;
  let k = 0;
  for (const x of xs) {
    if (Number.isFinite(x)) {
      s += x;
      k++;
    }
  }
  return k > 0 ? s / k : NaN;
};

/**
 * Walk-forward analysis: optimise each in-sample window, then trade its best parameters on the
 * following out-of-sample window. The OOS backtest runs over [isStart, oosEnd) with
 * `startIndex` at oosStart, so indicators warm up on in-sample bars (causal) while trading,
 * equity and metrics cover only the OOS bars, from a fresh initialCapital.
 */
export function walkForward<P, S>(opts: WalkForwardOptions<P, S>): WalkForwardResult {
  const objective = opts.objective ?? 'sharpe';
  const windows = walkForwardWindows(opts.candles.length, opts.inSample, opts.outOfSample, opts.step, opts.anchored);
  if (windows.length === 0) throw new RangeError('not enough candles for one in-sample + out-of-sample window');
  const cfg = { ...opts.config, startIndex: 0 };
  const parsedCfg = BacktestConfigSchema.parse(cfg);
  const paramsOf = (p: ParamPoint) => ({ ...opts.baseParams, ...p });

  const results: WalkForwardWindowResult[] = [];
  const oosEquities: Float64Array[] = [];
  for (const w of windows) {
    const isCandles = sliceSeries(opts.candles, w.isStart, w.isEnd);
    const run = (p: ParamPoint) =>
      runBacktest({ candles: isCandles, strategy: opts.strategy, params: paramsOf(p), config: cfg });
    const opt = optimize({
      space: opts.space,
      method: opts.method,
      budget: opts.budget,
      seed: opts.seed,
      objective: (p) => {
        try {
          return scoreOf(objective, run(p));
        } catch (e) {
          // Parameter combinations the strategy's schema refuses (e.g. fast ≥ slow) rank last;
          // anything else is a bug and propagates.
          if (e instanceof z.core.$ZodError) return NaN;
          throw e;
        }
      },
    });
    // The best-ranked point the strategy accepts: a window where no parameters trade scores
    // NaN everywhere and still gets evaluated out of sample (with the lowest-index valid point).
    const best = opt.results.find(
      (r) => !Number.isNaN(r.score) || opts.strategy.params.safeParse(paramsOf(r.params)).success,
    );
    if (best === undefined) throw new RangeError('no parameter combination in the space is valid for this strategy');
    const isRun = run(best.params);
    const oosRun = runBacktest({
      candles: sliceSeries(opts.candles, w.isStart, w.oosEnd),
      strategy: opts.strategy,
      params: paramsOf(best.params),
      config: { ...opts.config, startIndex: w.oosStart - w.isStart },
    });
    results.push({
      ...w,
      params: best.params,
      isScore: best.score,
      oosScore: scoreOf(objective, oosRun),
      isMetrics: isRun.metrics,
      oosMetrics: oosRun.metrics,
      oosTrades: oosRun.trades,
      evaluations: opt.evaluations,
    });
    oosEquities.push(oosRun.equity.subarray(w.oosStart - w.isStart));
  }

  const periods = { annualization: parsedCfg.periodsPerYear };
  const oosLen = results.reduce((s, r) => s + (r.oosEnd - r.oosStart), 0);
  const returns = new Float64Array(oosLen);
  const initial = parsedCfg.initialCapital;
  const equity = new Float64Array(oosLen);
  let k = 0;
  let level = initial;
  for (const eq of oosEquities) {
    let prev = initial;
    for (let j = 0; j < eq.length; j++) {
      const ret = eq[j] / prev - 1;
      prev = eq[j];
      returns[k] = ret;
      level *= 1 + ret;
      equity[k++] = level;
    }
  }
  const trades = results.flatMap((r) => r.oosTrades);
  const aggregate: WalkForwardAggregate = {
    equity,
    totalReturn: level / initial - 1,
    annualReturn: annualReturn(returns, periods),
    sharpe: sharpeRatio(returns, { riskFree: parsedCfg.riskFree, ...periods }),
    sortino: sortinoRatio(returns, { requiredReturn: parsedCfg.riskFree, ...periods }),
    maxDrawdown: maxDrawdown(returns),
    profitFactor: profitFactor(trades),
    winRate: winRate(trades),
    tradeCount: trades.length,
  };

  const meanIsSharpe = mean(results.map((r) => r.isMetrics.sharpe));
  const meanOosSharpe = mean(results.map((r) => r.oosMetrics.sharpe));
  const efficiency =
    mean(results.map((r) => r.oosMetrics.annualReturn)) / mean(results.map((r) => r.isMetrics.annualReturn));
  const overfitting: OverfittingReport = {
    meanIsSharpe,
    meanOosSharpe,
    sharpeDegradation: meanIsSharpe - meanOosSharpe,
    walkForwardEfficiency: efficiency,
    degradedWindows: results.filter((r) => !(r.oosScore >= r.isScore)).length / results.length,
    likelyOverfit: efficiency < 0.5 || (meanIsSharpe > 0 && !(meanOosSharpe > 0)),
  };
  return { windows: results, aggregate, overfitting };
}
