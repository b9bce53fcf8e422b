import { Dec, formatMoney } from '../money.js';
import { recoveryFactor } from '../metrics/index.js';
import { BLOCK } from '../metrics/nan-stats.js';
import { equitySummary } from '../metrics/summary.js';
import { profitFactorOf } from '../metrics/trades.js';
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

  const { grossProfit, grossLoss, commission, slippage, wins, losses, barsHeld, pnlSum, duration } = tradeTotals(log);
  const count = log.length;

  const finalEquity = equity[n - 1];
  const netProfit = finalEquity - initial;
  // the trade metrics' definitions (metrics/trades.ts) over the log's columns, no Trade objects:
  // the same sums in the same order, so the same numbers as the exported functions
  const exp = count > 0 ? pnlSum / count : NaN;
  const cur = config.currency;
  const round = (x: number): number => (Number.isFinite(x) ? Number(formatMoney(new Dec(x), cur)) : x);
  const str = (x: number): string => formatMoney(new Dec(x), cur);

  // annualReturn, annualVolatility, sharpeRatio, sortinoRatio (required return = riskFree),
  // maxDrawdown and calmarRatio of the per-bar returns of the traded span (the bar before
  // `start` worth `initial`), identical to the separate functions, without a returns array
  const r = equitySummary(equity, start, initial, { annualization: config.periodsPerYear, riskFree: config.riskFree });
  const drawdown = new Float64Array(n);
  const ddAbs = fillDrawdown(equity, start, initial, drawdown);

  const metrics: BacktestMetrics = {
    totalReturn: finalEquity / initial - 1,
    annualReturn: r.annualReturn,
    annualVolatility: r.annualVolatility,
    sharpe: r.sharpe,
    sortino: r.sortino,
    maxDrawdown: r.maxDrawdown,
    calmar: r.calmar,
    profitFactor: profitFactorOf(grossProfit, -grossLoss, count),
    winRate: count > 0 ? wins / count : NaN,
    expectancy: round(exp),
    recoveryFactor: recoveryFactor(netProfit, ddAbs),
    averageTradeDuration: count > 0 ? duration / count : NaN,
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

/**
 * Drawdown curve (equity / running peak − 1, the peak starting at `initial`); returns the largest
 * peak-to-trough fall in money. In blocks, for the reason given at BLOCK (metrics/nan-stats.ts).
 */
function fillDrawdown(equity: Float64Array, start: number, initial: number, drawdown: Float64Array): number {
  const walk = new Float64Array(2);
  walk[0] = initial; // running peak
  walk[1] = 0; // largest fall
  for (let from = start; from < equity.length; from += BLOCK)
    drawdownBlock(equity, from, Math.min(equity.length, from + BLOCK), drawdown, walk);
  return walk[1];
}

function drawdownBlock(
  equity: Float64Array,
  from: number,
  to: number,
  drawdown: Float64Array,
  walk: Float64Array,
): void {
  let peak = walk[0];
  let ddAbs = walk[1];
  for (let i = from; i < to; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    drawdown[i] = e / peak - 1;
    if (peak - e > ddAbs) ddAbs = peak - e;
  }
  walk[0] = peak;
  walk[1] = ddAbs;
}

interface TradeTotals {
  /** Σ positive pnl; −grossLoss is profitFactor's `lost` bit for bit (negation is exact) */
  grossProfit: number;
  grossLoss: number;
  commission: number;
  slippage: number;
  wins: number;
  losses: number;
  barsHeld: number;
  /** Σ pnl in log order (expectancy) */
  pnlSum: number;
  /** Σ exitTime − entryTime in log order (averageTradeDuration) */
  duration: number;
}

function tradeTotals(log: TradeLog): TradeTotals {
  const t = new Float64Array(9);
  for (let from = 0; from < log.length; from += BLOCK) sumTrades(log, from, Math.min(log.length, from + BLOCK), t);
  return {
    grossProfit: t[0],
    grossLoss: t[1],
    commission: t[2],
    slippage: t[3],
    wins: t[4],
    losses: t[5],
    barsHeld: t[6],
    pnlSum: t[7],
    duration: t[8],
  };
}

/** Trades from..to added to the sums in `t` (tradeTotals' field order); in blocks, see BLOCK. */
function sumTrades(log: TradeLog, from: number, to: number, t: Float64Array): void {
  let grossProfit = t[0];
  let grossLoss = t[1];
  let commissionSum = t[2];
  let slippageSum = t[3];
  let wins = t[4];
  let losses = t[5];
  let barsHeld = t[6];
  let pnlSum = t[7];
  let duration = t[8];
  const { pnl, commission, slippage, entryIndex, exitIndex, time } = log;
  for (let k = from; k < to; k++) {
    const x = pnl[k];
    if (x > 0) {
      grossProfit += x;
      wins++;
    } else if (x < 0) {
      grossLoss += x;
      losses++;
    }
    pnlSum += x;
    commissionSum += commission[k];
    slippageSum += slippage[k];
    barsHeld += exitIndex[k] - entryIndex[k];
    duration += time[exitIndex[k]] - time[entryIndex[k]];
  }
  t[0] = grossProfit;
  t[1] = grossLoss;
  t[2] = commissionSum;
  t[3] = slippageSum;
  t[4] = wins;
  t[5] = losses;
  t[6] = barsHeld;
  t[7] = pnlSum;
  t[8] = duration;
}
