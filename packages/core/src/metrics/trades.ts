/** One closed trade as the trade metrics read it: net P&L (after costs) and times in ms. */
export interface TradePnl {
  pnl: number;
  entryTime: number;
  exitTime: number;
}

/**
 * Gross profit / gross loss (sum of winning pnl over the absolute sum of losing pnl).
 * No trades → NaN. No losing trade: Infinity if anything was won, NaN if every trade broke
 * even. Break-even trades (pnl = 0) count on neither side.
 */
export function profitFactor(trades: readonly TradePnl[]): number {
  let won = 0;
  let lost = 0;
  for (const t of trades) {
    if (t.pnl > 0) won += t.pnl;
    else if (t.pnl < 0) lost -= t.pnl;
  }
  return profitFactorOf(won, lost, trades.length);
}

/**
 * `profitFactor` from totals a caller already has (a columnar trade log): `won` the sum of the
 * positive pnl, `lost` the absolute sum of the negative ones, `count` all trades.
 */
export function profitFactorOf(won: number, lost: number, count: number): number {
  if (count === 0) return NaN;
  if (lost === 0) return won > 0 ? Infinity : NaN;
  return won / lost;
}

/** Share of trades with pnl > 0 (break-even trades count as not won). No trades → NaN. */
export function winRate(trades: readonly TradePnl[]): number {
  if (trades.length === 0) return NaN;
  let wins = 0;
  for (const t of trades) if (t.pnl > 0) wins++;
  return wins / trades.length;
}

/** Mean pnl per trade (= winRate·avgWin − lossRate·avgLoss). No trades → NaN. */
export function expectancy(trades: readonly TradePnl[]): number {
  if (trades.length === 0) return NaN;
  let s = 0;
  for (const t of trades) s += t.pnl;
  return s / trades.length;
}

/**
 * Net profit / maximum drawdown, both in money. The drawdown's sign is ignored (pass 250 or
 * −250). No drawdown: Infinity for a profit, −Infinity for a loss, NaN for zero net profit.
 */
export function recoveryFactor(netProfit: number, maxDrawdownAbs: number): number {
  const dd = Math.abs(maxDrawdownAbs);
  if (dd === 0) return netProfit > 0 ? Infinity : netProfit < 0 ? -Infinity : NaN;
  return netProfit / dd;
}

/** Mean holding time exitTime − entryTime, in ms. No trades → NaN. */
export function averageTradeDuration(trades: readonly TradePnl[]): number {
  if (trades.length === 0) return NaN;
  let s = 0;
  for (const t of trades) s += t.exitTime - t.entryTime;
  return s / trades.length;
}
