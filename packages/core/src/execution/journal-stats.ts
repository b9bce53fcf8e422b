// Statistics of closed trades for the journal: counts, win rate, profit factor, expectancy and
// streaks, overall and by strategy and symbol. Money sums are exact decimals; ratios are numbers.
import { Dec, decimalString, money, type D, type DecimalInput } from '../money.js';

export interface ClosedTrade {
  pnl: DecimalInput;
  /** ISO 8601 */
  closedAt: string;
  symbol: string;
  strategy?: string;
}

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  breakEven: number;
  /** wins / trades (break-evens count as trades); 0 when there are none */
  winRate: number;
  /** gross profit / gross loss; null when there is no loss */
  profitFactor: number | null;
  /** mean pnl, rounded half-even to 8 decimals */
  expectancy: string;
  netPnl: string;
  grossProfit: string;
  /** positive */
  grossLoss: string;
  longestWinStreak: number;
  longestLossStreak: number;
  /** the run the latest win or loss belongs to; 'none' when there is neither */
  currentStreak: { kind: 'win' | 'loss' | 'none'; length: number };
}

export interface JournalStats {
  overall: TradeStats;
  byStrategy: Record<string, TradeStats>;
  bySymbol: Record<string, TradeStats>;
}

/** The group of trades without a strategy. */
export const NO_STRATEGY = '(none)';

const EXPECTANCY_DECIMALS = 8;

interface Parsed {
  pnl: D;
  at: number;
  symbol: string;
  strategy: string;
}

/**
 * Statistics of `trades` taken in closedAt order (a stable sort: trades closed at the same time
 * keep their given order). A break-even trade neither extends nor breaks a streak, as in the
 * risk state's consecutive-loss count, so "5 losses in a row" means the same in both places.
 */
export function journalStats(trades: readonly ClosedTrade[]): JournalStats {
  const parsed: Parsed[] = trades.map((t, i) => {
    const at = Date.parse(t.closedAt);
    if (typeof t.closedAt !== 'string' || Number.isNaN(at)) {
      throw new RangeError(`trades[${i}].closedAt is not an ISO 8601 time`);
    }
    return { pnl: money(t.pnl), at, symbol: t.symbol, strategy: t.strategy ?? NO_STRATEGY };
  });
  parsed.sort((a, b) => a.at - b.at);
  const byStrategy = new Map<string, Parsed[]>();
  const bySymbol = new Map<string, Parsed[]>();
  for (const t of parsed) {
    push(byStrategy, t.strategy, t);
    push(bySymbol, t.symbol, t);
  }
  return {
    overall: statsOf(parsed),
    // fromEntries defines own properties, so a group named "__proto__" is a group, not a prototype
    byStrategy: Object.fromEntries([...byStrategy].map(([k, v]) => [k, statsOf(v)])),
    bySymbol: Object.fromEntries([...bySymbol].map(([k, v]) => [k, statsOf(v)])),
  };
}

function push(groups: Map<string, Parsed[]>, key: string, t: Parsed): void {
  const group = groups.get(key);
  if (group) group.push(t);
  else groups.set(key, [t]);
}

function statsOf(trades: readonly Parsed[]): TradeStats {
  let wins = 0;
  let losses = 0;
  let grossProfit = new Dec(0);
  let grossLoss = new Dec(0);
  let longestWin = 0;
  let longestLoss = 0;
  let kind: 'win' | 'loss' | 'none' = 'none';
  let length = 0;
  for (const { pnl } of trades) {
    if (pnl.isZero()) continue;
    const win = pnl.isPositive();
    if (win) {
      wins++;
      grossProfit = grossProfit.plus(pnl);
    } else {
      losses++;
      grossLoss = grossLoss.minus(pnl);
    }
    const k = win ? 'win' : 'loss';
    length = kind === k ? length + 1 : 1;
    kind = k;
    if (win) longestWin = Math.max(longestWin, length);
    else longestLoss = Math.max(longestLoss, length);
  }
  const count = trades.length;
  const net = grossProfit.minus(grossLoss);
  return {
    trades: count,
    wins,
    losses,
    breakEven: count - wins - losses,
    winRate: count === 0 ? 0 : wins / count,
    profitFactor: grossLoss.isZero() ? null : grossProfit.div(grossLoss).toNumber(),
    expectancy:
      count === 0 ? '0' : decimalString(net.div(count).toDecimalPlaces(EXPECTANCY_DECIMALS, Dec.ROUND_HALF_EVEN)),
    netPnl: decimalString(net),
    grossProfit: decimalString(grossProfit),
    grossLoss: decimalString(grossLoss),
    longestWinStreak: longestWin,
    longestLossStreak: longestLoss,
    currentStreak: { kind, length },
  };
}
