import { annualReturnOf } from './annual.js';
import { annualizationFactor } from './annualization.js';
import { calmarOf } from './calmar.js';
import { stdOf } from './nan-stats.js';

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
 * calmarRatio of `returns` in two passes instead of the ten or so the separate functions make
 * (and none of their copies): a backtest reports all six over a million bars. Every sum runs in
 * the same order over the same doubles as in the separate functions, so the results are
 * identical to theirs, not merely close (a property test holds them to Object.is).
 */
export function returnsSummary(returns: Float64Array, opts: SummaryOptions): ReturnsSummary {
  const n = returns.length;
  const factor = annualizationFactor({ annualization: opts.annualization });
  const rf = opts.riskFree;
  const a = firstPass(returns, rf, new Float64Array(PASS_FIELDS));
  const mean = a.sum / a.count;
  const meanEx = a.sumEx / a.countEx;
  const ss = squaredDeviations(returns, mean, 0);
  // with rf = 0 the excess returns are the returns (r − 0 is r): their deviation is the same
  const ssEx = rf === 0 ? ss : squaredDeviations(returns, meanEx, rf);
  const annual = n < 1 ? NaN : annualReturnOf(a.growth - 1, n, factor);
  const maxDrawdown = n === 0 ? NaN : a.worst;
  return {
    annualReturn: annual,
    annualVolatility: n < 2 ? NaN : stdOf(ss, a.count, 1, a.lo, a.hi) * factor ** (1 / 2),
    sharpe: n < 2 ? NaN : (meanEx / stdOf(ssEx, a.countEx, 1, a.loEx, a.hiEx)) * Math.sqrt(factor),
    sortino: n < 2 ? NaN : (meanEx * factor) / (Math.sqrt(a.downside / a.countEx) * Math.sqrt(factor)),
    maxDrawdown,
    calmar: calmarOf(annual, maxDrawdown),
  };
}

/** Everything a single walk over the returns can gather (see the functions each field feeds). */
interface FirstPass {
  /** count, sum, min and max of the non-NaN r (annualVolatility) */
  count: number;
  sum: number;
  lo: number;
  hi: number;
  /** the same of the non-NaN r − rf (sharpeRatio), and Σmin(r − rf, 0)² (sortinoRatio) */
  countEx: number;
  sumEx: number;
  loEx: number;
  hiEx: number;
  downside: number;
  /** Π(1 + r) and the worst drawdown of the compounded curve (annualReturn, maxDrawdown) */
  growth: number;
  worst: number;
}
const PASS_FIELDS = 11;

function firstPass(returns: Float64Array, rf: number, acc: Float64Array): FirstPass {
  let count = 0;
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let countEx = 0;
  let sumEx = 0;
  let loEx = Infinity;
  let hiEx = -Infinity;
  let downside = 0;
  let peak = 100;
  let worst = 0;
  let prod = 1;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    if (r === r) {
      count++;
      sum += r;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
      prod *= 1 + r;
    }
    const v = r - rf;
    if (v === v) {
      countEx++;
      sumEx += v;
      if (v < loEx) loEx = v;
      if (v > hiEx) hiEx = v;
      downside += v > 0 ? 0 : v * v;
    }
    const value = 100 * prod;
    if (value > peak) peak = value;
    const dd = (value - peak) / peak;
    if (dd < worst) worst = dd;
  }
  acc[0] = count;
  acc[1] = sum;
  acc[2] = lo;
  acc[3] = hi;
  acc[4] = countEx;
  acc[5] = sumEx;
  acc[6] = loEx;
  acc[7] = hiEx;
  acc[8] = downside;
  acc[9] = prod;
  acc[10] = worst;
  return passOf(acc);
}

function passOf(a: Float64Array): FirstPass {
  return { count: a[0], sum: a[1], lo: a[2], hi: a[3], countEx: a[4], sumEx: a[5], loEx: a[6], hiEx: a[7], downside: a[8], growth: a[9], worst: a[10] };
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
