import { annualReturnOf } from './annual.js';
import { annualizationFactor } from './annualization.js';
import { calmarOf } from './calmar.js';
import { BLOCK, M_COUNT, M_DOWNSIDE, M_MAX, M_MIN, M_SUM, MOMENTS, stdOf } from './nan-stats.js';

/** The returns-based metrics of one equity curve, each bit-identical to its exported function. */
export interface ReturnsSummary {
  annualReturn: number;
  annualVolatility: number;
  sharpe: number;
  sortino: number;
  maxDrawdown: number;
  calmar: number;
}

export interface SummaryOptions {
  /** periods per year */
  annualization: number;
  /** constant risk-free return per period: Sharpe's riskFree and Sortino's requiredReturn */
  riskFree: number;
}

/**
 * annualReturn, annualVolatility (alpha 2), sharpeRatio, sortinoRatio, maxDrawdown and
 * calmarRatio of the simple returns of `equity` from index `start` on — r = e[i] / e[i−1] − 1,
 * the bar before `start` worth `initial` — without materialising the returns, in two passes
 * (four with a non-zero risk-free rate) instead of the ten or so the separate functions make:
 * a backtest reports all six over a million bars. Each return is the same double wherever it is
 * recomputed, and every sum runs in the same order as in the separate functions, so the results
 * are identical to theirs, not merely close (a property test holds them to Object.is).
 */
export function equitySummary(
  equity: Float64Array,
  start: number,
  initial: number,
  opts: SummaryOptions,
): ReturnsSummary {
  const n = equity.length - start;
  const factor = annualizationFactor({ annualization: opts.annualization });
  const rf = opts.riskFree;
  // the returns' moments (volatility) and the excess returns' (Sharpe, Sortino); with rf = 0
  // they are the same numbers, since r − 0 is r
  const m = walk(equity, start, initial, 0);
  const ex = rf === 0 ? m : walk(equity, start, initial, rf);
  const mean = m[M_SUM] / m[M_COUNT];
  const meanEx = ex[M_SUM] / ex[M_COUNT];
  const ss = squaredDeviations(equity, start, initial, mean, 0);
  const ssEx = ex === m ? ss : squaredDeviations(equity, start, initial, meanEx, rf);
  const annual = n < 1 ? NaN : annualReturnOf(m[W_PROD] - 1, n, factor);
  const maxDrawdown = n < 1 ? NaN : m[W_WORST];
  return {
    annualReturn: annual,
    annualVolatility: n < 2 ? NaN : stdOf(ss, m[M_COUNT], 1, m[M_MIN], m[M_MAX]) * factor ** (1 / 2),
    sharpe: n < 2 ? NaN : (meanEx / stdOf(ssEx, ex[M_COUNT], 1, ex[M_MIN], ex[M_MAX])) * Math.sqrt(factor),
    sortino: n < 2 ? NaN : (meanEx * factor) / (Math.sqrt(ex[M_DOWNSIDE] / ex[M_COUNT]) * Math.sqrt(factor)),
    maxDrawdown,
    calmar: calmarOf(annual, maxDrawdown),
  };
}

// The walk's slots after the M_* moments: the compounded curve (as `compound` walks it) and the
// equity value before the next block.
const W_PEAK = MOMENTS;
const W_WORST = MOMENTS + 1;
const W_PROD = MOMENTS + 2;
const W_PREV = MOMENTS + 3;
const WALK = MOMENTS + 4;

/**
 * One walk over the returns: `moments` of r − shift, and `compound`'s growth and worst drawdown
 * of r, in blocks (see BLOCK for why).
 */
function walk(equity: Float64Array, start: number, initial: number, shift: number): Float64Array {
  const w = new Float64Array(WALK);
  w[M_MIN] = Infinity;
  w[M_MAX] = -Infinity;
  w[W_PEAK] = 100;
  w[W_PROD] = 1;
  w[W_PREV] = initial;
  const end = equity.length;
  for (let from = start; from < end; from += BLOCK) walkBlock(equity, from, Math.min(end, from + BLOCK), shift, w);
  // the branch-free downside is inexact only where 2v overflows or v is +Infinity (see moments)
  if (!(w[M_MIN] > -Number.MAX_VALUE / 2 && w[M_MAX] < Infinity))
    w[M_DOWNSIDE] = downsideWithBranch(equity, start, initial, shift);
  return w;
}

function walkBlock(equity: Float64Array, from: number, to: number, shift: number, w: Float64Array): void {
  let count = w[M_COUNT];
  let sum = w[M_SUM];
  let lo = w[M_MIN];
  let hi = w[M_MAX];
  let downside = w[M_DOWNSIDE];
  let peak = w[W_PEAK];
  let worst = w[W_WORST];
  let prod = w[W_PROD];
  let prev = w[W_PREV];
  for (let i = from; i < to; i++) {
    const e = equity[i];
    const r = e / prev - 1;
    prev = e;
    const v = r - shift;
    if (v === v) {
      count++;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      const m = (v - Math.abs(v)) * 0.5;
      downside += m * m;
    }
    if (r === r) prod *= 1 + r;
    const value = 100 * prod;
    if (value > peak) peak = value;
    const dd = (value - peak) / peak;
    if (dd < worst) worst = dd;
  }
  w[M_COUNT] = count;
  w[M_SUM] = sum;
  w[M_MIN] = lo;
  w[M_MAX] = hi;
  w[M_DOWNSIDE] = downside;
  w[W_PEAK] = peak;
  w[W_WORST] = worst;
  w[W_PROD] = prod;
  w[W_PREV] = prev;
}

function downsideWithBranch(equity: Float64Array, start: number, initial: number, shift: number): number {
  let downside = 0;
  let prev = initial;
  for (let i = start; i < equity.length; i++) {
    const v = equity[i] / prev - 1 - shift;
    prev = equity[i];
    if (v === v) downside += v > 0 ? 0 : v * v;
  }
  return downside;
}

/** Σ(r − shift − mean)² over the non-NaN r − shift, as nanStdAround sums it, in blocks. */
function squaredDeviations(equity: Float64Array, start: number, initial: number, mean: number, shift: number): number {
  const acc = new Float64Array(2);
  acc[1] = initial;
  const end = equity.length;
  for (let from = start; from < end; from += BLOCK)
    squaresBlock(equity, from, Math.min(end, from + BLOCK), mean, shift, acc);
  return acc[0];
}

function squaresBlock(
  equity: Float64Array,
  from: number,
  to: number,
  mean: number,
  shift: number,
  acc: Float64Array,
): void {
  let ss = acc[0];
  let prev = acc[1];
  for (let i = from; i < to; i++) {
    const e = equity[i];
    const v = e / prev - 1 - shift;
    prev = e;
    if (v === v) {
      const d = v - mean;
      ss += d * d;
    }
  }
  acc[0] = ss;
  acc[1] = prev;
}
