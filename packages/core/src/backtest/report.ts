import { Dec, formatMoney } from '../money.js';
import {
  annualReturn,
  annualVolatility,
  averageTradeDuration,
  calmarRatio,
  expectancy,
  maxDrawdown,
  profitFactor,
  recoveryFactor,
  sharpeRatio,
  sortinoRatio,
  winRate,
} from '../metrics/index.js';
import type { BacktestConfig } from './config.js';
import type { BacktestMetrics, BacktestMoney, BacktestResult, Trade } from './types.js';

export interface ReportInput {
  equity: Float64Array;
  trades: Trade[];
  skipped: number;
  barsInMarket: number;
  config: BacktestConfig;
}

/**
 * The edge of the float simulator: curves and the trade log stay floats; the money figures
 * are rounded to the currency's minor unit (half-even, via money.ts) — as numbers in `metrics`
 * and as decimal strings in `money`.
 */
export function backtestReport({ equity, trades, skipped, barsInMarket, config }: ReportInput): BacktestResult {
  const n = equity.length;
  const start = config.startIndex;
  const initial = config.initialCapital;
  const bars = n - start;

  // Per-bar simple returns of the traded span; the bar before `start` is worth initialCapital.
  const returns = new Float64Array(bars);
  const drawdown = new Float64Array(n);
  let prev = initial;
  let peak = initial;
  let ddAbs = 0;
  for (let i = start; i < n; i++) {
    const e = equity[i];
    returns[i - start] = e / prev - 1;
    prev = e;
    if (e > peak) peak = e;
    drawdown[i] = e / peak - 1;
    if (peak - e > ddAbs) ddAbs = peak - e;
  }

  let grossProfit = 0;
  let grossLoss = 0;
  let commission = 0;
  let slippage = 0;
  let wins = 0;
  let losses = 0;
  let barsHeld = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      grossProfit += t.pnl;
      wins++;
    } else if (t.pnl < 0) {
      grossLoss += t.pnl;
      losses++;
    }
    commission += t.commission;
    slippage += t.slippage;
    barsHeld += t.barsHeld;
  }

  const finalEquity = equity[n - 1];
  const netProfit = finalEquity - initial;
  const opts = { riskFree: config.riskFree, annualization: config.periodsPerYear };
  const exp = expectancy(trades);
  const cur = config.currency;
  const round = (x: number): number => (Number.isFinite(x) ? Number(formatMoney(new Dec(x), cur)) : x);
  const str = (x: number): string => formatMoney(new Dec(x), cur);

  const metrics: BacktestMetrics = {
    totalReturn: finalEquity / initial - 1,
    annualReturn: annualReturn(returns, { annualization: config.periodsPerYear }),
    annualVolatility: annualVolatility(returns, { annualization: config.periodsPerYear }),
    sharpe: sharpeRatio(returns, opts),
    sortino: sortinoRatio(returns, { requiredReturn: config.riskFree, annualization: config.periodsPerYear }),
    maxDrawdown: maxDrawdown(returns),
    calmar: calmarRatio(returns, { annualization: config.periodsPerYear }),
    profitFactor: profitFactor(trades),
    winRate: winRate(trades),
    expectancy: round(exp),
    recoveryFactor: recoveryFactor(netProfit, ddAbs),
    averageTradeDuration: averageTradeDuration(trades),
    averageBarsHeld: trades.length > 0 ? barsHeld / trades.length : NaN,
    tradeCount: trades.length,
    winningTrades: wins,
    losingTrades: losses,
    exposure: bars > 0 ? barsInMarket / bars : 0,
    initialCapital: round(initial),
    finalEquity: round(finalEquity),
    netProfit: round(netProfit),
    grossProfit: round(grossProfit),
    grossLoss: round(grossLoss),
    totalCommission: round(commission),
    totalSlippage: round(slippage),
    maxDrawdownAbs: round(ddAbs),
  };
  const money: BacktestMoney = {
    currency: cur,
    initialCapital: str(initial),
    finalEquity: str(finalEquity),
    netProfit: str(netProfit),
    grossProfit: str(grossProfit),
    grossLoss: str(grossLoss),
    totalCommission: str(commission),
    totalSlippage: str(slippage),
    maxDrawdownAbs: str(ddAbs),
    expectancy: Number.isFinite(exp) ? str(exp) : null,
  };
  return { equity, drawdown, trades, metrics, money, skippedSignals: skipped };
}
