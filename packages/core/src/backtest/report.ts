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
import type { TradeLog } from './trade-log.js';
import type { BacktestMetrics, BacktestMoney, BacktestResult, Trade } from './types.js';

export interface ReportInput {
  equity: Float64Array;
  log: TradeLog;
  skipped: number;
  barsInMarket: number;
  config: BacktestConfig;
}

/**
 * The edge of the float simulator: curves and the trade log stay floats; the money figures
 * are rounded to the currency's minor unit (half-even, via money.ts) — as numbers in `metrics`
 * and as decimal strings in `money`.
 */
export function backtestReport({ equity, log, skipped, barsInMarket, config }: ReportInput): BacktestResult {
  const n = equity.length;
  const start = config.startIndex;
  const initial = config.initialCapital;
  const bars = n - start;

  // The returns live in the drawdown buffer's tail until the metrics are computed, then the
  // drawdown curve overwrites them: one 8 MB allocation less per million bars.
  const drawdown = new Float64Array(n);
  const returns = drawdown.subarray(start);
  fillReturns(equity, start, initial, returns);

  const { grossProfit, grossLoss, commission, slippage, wins, losses, barsHeld } = tradeTotals(log);
  const count = log.length;
  const pnls = log.pnlViews();

  const finalEquity = equity[n - 1];
  const netProfit = finalEquity - initial;
  const opts = { riskFree: config.riskFree, annualization: config.periodsPerYear };
  const exp = expectancy(pnls);
  const cur = config.currency;
  const round = (x: number): number => (Number.isFinite(x) ? Number(formatMoney(new Dec(x), cur)) : x);
  const str = (x: number): string => formatMoney(new Dec(x), cur);

  const annual = annualReturn(returns, { annualization: config.periodsPerYear });
  const volatility = annualVolatility(returns, { annualization: config.periodsPerYear });
  const sharpe = sharpeRatio(returns, opts);
  const sortino = sortinoRatio(returns, { requiredReturn: config.riskFree, annualization: config.periodsPerYear });
  const mdd = maxDrawdown(returns);
  const calmar = calmarRatio(returns, { annualization: config.periodsPerYear });
  const ddAbs = fillDrawdown(equity, start, initial, drawdown);

  const metrics: BacktestMetrics = {
    totalReturn: finalEquity / initial - 1,
    annualReturn: annual,
    annualVolatility: volatility,
    sharpe,
    sortino,
    maxDrawdown: mdd,
    calmar,
    profitFactor: profitFactor(pnls),
    winRate: winRate(pnls),
    expectancy: round(exp),
    recoveryFactor: recoveryFactor(netProfit, ddAbs),
    averageTradeDuration: averageTradeDuration(pnls),
    averageBarsHeld: count > 0 ? barsHeld / count : NaN,
    tradeCount: count,
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
  let trades: Trade[] | undefined;
  return {
    equity,
    drawdown,
    // Built on first access (then cached): most callers of a large run read only the metrics.
    get trades(): Trade[] {
      return (trades ??= log.toTrades());
    },
    metrics,
    money,
    skippedSignals: skipped,
  };
}

/** Per-bar simple returns of the traded span; the bar before `start` is worth `initial`. */
function fillReturns(equity: Float64Array, start: number, initial: number, returns: Float64Array): void {
  let prev = initial;
  for (let i = start; i < equity.length; i++) {
    const e = equity[i];
    returns[i - start] = e / prev - 1;
    prev = e;
  }
}

/**
 * Drawdown curve (equity / running peak − 1, the peak starting at `initial`); returns the largest
 * peak-to-trough fall in money. Loops live in small functions of their own so V8 optimises them
 * with nothing after the loop that lacks type feedback.
 */
function fillDrawdown(equity: Float64Array, start: number, initial: number, drawdown: Float64Array): number {
  let peak = initial;
  let ddAbs = 0;
  for (let i = start; i < equity.length; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    drawdown[i] = e / peak - 1;
    if (peak - e > ddAbs) ddAbs = peak - e;
  }
  return ddAbs;
}

interface TradeTotals {
  grossProfit: number;
  grossLoss: number;
  commission: number;
  slippage: number;
  wins: number;
  losses: number;
  barsHeld: number;
}

function tradeTotals(log: TradeLog): TradeTotals {
  const t: TradeTotals = { grossProfit: 0, grossLoss: 0, commission: 0, slippage: 0, wins: 0, losses: 0, barsHeld: 0 };
  const { pnl, commission, slippage, entryIndex, exitIndex } = log;
  for (let k = 0; k < log.length; k++) {
    const x = pnl[k];
    if (x > 0) {
      t.grossProfit += x;
      t.wins++;
    } else if (x < 0) {
      t.grossLoss += x;
      t.losses++;
    }
    t.commission += commission[k];
    t.slippage += slippage[k];
    t.barsHeld += exitIndex[k] - entryIndex[k];
  }
  return t;
}
