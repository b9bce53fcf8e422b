import type { Side } from '../strategies/types.js';

export type ExitReason = 'stop' | 'target' | 'signal' | 'end';

/** One round trip. Prices and money are unrounded floats (see `BacktestResult.money` for the edge). */
export interface Trade {
  side: Side;
  /** always positive */
  quantity: number;
  /** bar of the entry fill (the bar after the signal) */
  entryIndex: number;
  exitIndex: number;
  entryTime: number;
  exitTime: number;
  /** fill prices, slippage included */
  entryPrice: number;
  exitPrice: number;
  stop: number | null;
  target: number | null;
  /** entry + exit commission */
  commission: number;
  /** money lost to slippage on both fills (already inside the prices) */
  slippage: number;
  /** quantity × price move, signed for the side; commission not deducted */
  grossPnl: number;
  /** grossPnl − commission */
  pnl: number;
  /** pnl / entry notional */
  returnPct: number;
  barsHeld: number;
  exitReason: ExitReason;
  /** the entry signal's reason and confidence */
  reason: string;
  confidence: number;
}

export interface BacktestMetrics {
  /** finalEquity / initialCapital − 1 */
  totalReturn: number;
  /** CAGR over the traded bars, annualised by periodsPerYear (empyrical annual_return) */
  annualReturn: number;
  annualVolatility: number;
  /** annualised with periodsPerYear (default 252) over per-bar returns */
  sharpe: number;
  sortino: number;
  /** worst peak-to-trough fall of the equity curve, ≤ 0 (empyrical sign) */
  maxDrawdown: number;
  calmar: number;
  profitFactor: number;
  winRate: number;
  /** mean net P&L per trade, money */
  expectancy: number;
  /** netProfit / maxDrawdownAbs */
  recoveryFactor: number;
  /** mean of exitTime − entryTime, in the candles' time unit (ms) */
  averageTradeDuration: number;
  averageBarsHeld: number;
  tradeCount: number;
  winningTrades: number;
  losingTrades: number;
  /** fraction of traded bars with an open position at the close */
  exposure: number;
  /** money figures below are rounded to the currency's minor unit */
  initialCapital: number;
  finalEquity: number;
  netProfit: number;
  grossProfit: number;
  grossLoss: number;
  totalCommission: number;
  totalSlippage: number;
  /** largest peak-to-trough fall in money, ≥ 0 */
  maxDrawdownAbs: number;
}

/** The money figures of the report as decimal strings rounded to the minor unit (the JSON edge). */
export interface BacktestMoney {
  currency: string;
  initialCapital: string;
  finalEquity: string;
  netProfit: string;
  grossProfit: string;
  grossLoss: string;
  totalCommission: string;
  totalSlippage: string;
  maxDrawdownAbs: string;
  /** null when there are no trades */
  expectancy: string | null;
}

export interface BacktestResult {
  /** equity at each bar's close (bars before startIndex hold initialCapital); last value after the end-of-data close */
  equity: Float64Array;
  /** equity / running peak − 1, ≤ 0 */
  drawdown: Float64Array;
  /** the trade log, oldest first; built from columnar storage on first access, then cached */
  readonly trades: Trade[];
  metrics: BacktestMetrics;
  money: BacktestMoney;
  /**
   * signals that could not be acted on (bracket already crossed at the fill, no stop for risk
   * sizing, zero quantity)
   */
  skippedSignals: number;
}
