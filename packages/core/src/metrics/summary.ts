import { annualReturnOf } from './annual.js';
import { annualizationFactor } from './annualization.js';
import { calmarOf } from './calmar.js';
import { compound } from './drawdown.js';
import { M_COUNT, M_DOWNSIDE, M_MAX, M_MIN, M_SUM, MOMENTS, moments, stdOf } from './nan-stats.js';

/** The returns-based metrics of one series, each bit-identical to its exported function. */
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
 * calmarRatio of `returns` in three passes (five with a non-zero risk-free rate) instead of the
 * ten or so the separate functions make: a backtest reports all six over a million bars. Every
 * sum runs in the same order over the same doubles as in the separate functions, so the
 * results are identical to theirs, not merely close (a property test holds them to Object.is).
 */
export function returnsSummary(returns: Float64Array, opts: SummaryOptions): ReturnsSummary {
  const n = returns.length;
  const factor = annualizationFactor({ annualization: opts.annualization });
  const rf = opts.riskFree;
  // the returns' moments (volatility) and the excess returns' (Sharpe, Sortino); with rf = 0
  // they are the same numbers, since r − 0 is r
  const m = new Float64Array(MOMENTS);
  moments(returns, 0, m);
  const ex = rf === 0 ? m : new Float64Array(MOMENTS);
  if (ex !== m) moments(returns, rf, ex);
  const mean = m[M_SUM] / m[M_COUNT];
  const meanEx = ex[M_SUM] / ex[M_COUNT];
  const ss = squaredDeviations(returns, mean, 0);
  const ssEx = ex === m ? ss : squaredDeviations(returns, meanEx, rf);
  const { growth, worst } = compound(returns);
  const annual = n < 1 ? NaN : annualReturnOf(growth - 1, n, factor);
  const maxDrawdown = n === 0 ? NaN : worst;
  return {
    annualReturn: annual,
    annualVolatility: n < 2 ? NaN : stdOf(ss, m[M_COUNT], 1, m[M_MIN], m[M_MAX]) * factor ** (1 / 2),
    sharpe: n < 2 ? NaN : (meanEx / stdOf(ssEx, ex[M_COUNT], 1, ex[M_MIN], ex[M_MAX])) * Math.sqrt(factor),
    sortino: n < 2 ? NaN : (meanEx * factor) / (Math.sqrt(ex[M_DOWNSIDE] / ex[M_COUNT]) * Math.sqrt(factor)),
    maxDrawdown,
    calmar: calmarOf(annual, maxDrawdown),
  };
}

/** Σ(r − shift − mean)² over the non-NaN r − shift, as nanStdAround sums it. */
function squaredDeviations(returns: Float64Array, mean: number, shift: number): number {
  let ss = 0;
  for (let i = 0; i < returns.length; i++) {
    const v = returns[i] - shift;
    if (v === v) {
      const d = v - mean;
      ss += d * d;
    }
  }
  return ss;
}
