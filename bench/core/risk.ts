// Risk and rebalancing throughput: validateTrade calls per second on a realistic account state,
// and a 500-holding planRebalance. Both run on exact decimals, so these are the costs of
// correctness; no peer library does either job, so the rows carry no ratio.
import {
  HARD_LIMITS,
  createAccountRiskState,
  recordTradeOpened,
  applyTradeResult,
  tightenLimits,
  validateTrade,
  type AccountRiskState,
  type TradeRequest,
} from '../../packages/core/src/risk/index.js';
import { planRebalance, type RebalanceInput } from '../../packages/core/src/rebalance/index.js';
import { timeMedian, type BenchRow, type Candles } from './types.js';

const NOW = Date.UTC(2026, 0, 5, 15, 30);

/** A mid-session account: a few trades today, some open positions, three strategies with history. */
function realisticState(): AccountRiskState {
  let s = createAccountRiskState({ balance: '250000.00', now: Date.UTC(2026, 0, 5, 0, 5) });
  for (let i = 0; i < 12; i++) s = recordTradeOpened(s, { notional: '12345.67' }, Date.UTC(2026, 0, 5, 1 + i, 7));
  const ids = ['breakout', 'trend', 'auction'];
  for (let i = 0; i < 8; i++) {
    s = applyTradeResult(
      s,
      { strategyId: ids[i % 3], pnl: i % 3 === 0 ? '-182.40' : '311.95', notional: '12345.67' },
      Date.UTC(2026, 0, 5, 2 + i, 40),
    );
  }
  return s;
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** 500 holdings drifted ±40% around equal-ish targets, 480 targeted plus 20 to exit, 3 new names to buy. */
export function rebalanceInput(n: number, fractional: boolean): RebalanceInput {
  const rnd = lcg(7);
  const holdings: Record<string, string> = {};
  const prices: Record<string, string> = {};
  const targets: Record<string, string> = {};
  const targeted = n - 20;
  const bp = Array.from({ length: targeted + 3 }, () => 10 + Math.floor(rnd() * 30));
  const total = bp.reduce((a, b) => a + b, 0);
  const weights = bp.map((b) => Math.floor((b * 1_000_000) / total));
  weights[0] += 1_000_000 - weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n + 3; i++) {
    const sym = `S${String(i).padStart(4, '0')}`;
    const price = (1 + Math.floor(rnd() * 50000)) / 100;
    prices[sym] = price.toFixed(2);
    if (i < n) holdings[sym] = String(10 + Math.floor(rnd() * 2000));
    if (i < targeted) targets[sym] = (weights[i] / 10000).toFixed(4);
    else if (i >= n) targets[sym] = (weights[i - 20] / 10000).toFixed(4);
  }
  return {
    holdings,
    prices,
    targets,
    cash: '25000.00',
    band: { kind: '5/25' },
    minTrade: '50',
    maxTrades: 400,
    fractional,
    cashBuffer: '1000',
    fees: { pct: '0.05', perTrade: '1.00' },
  };
}

export function bench(_candles: Candles): BenchRow[] {
  const rows: BenchRow[] = [];

  const state = realisticState();
  const limits = tightenLimits(HARD_LIMITS, { maxTradesPerDay: 18 });
  const requests: TradeRequest[] = Array.from({ length: 64 }, (_, i) => ({
    strategyId: ['breakout', 'trend', 'auction'][i % 3],
    symbol: 'EURUSD',
    side: i % 2 ? 'long' : 'short',
    quantity: `${1000 + i * 37}`,
    lotSize: '100000',
    entry: '1.08450',
    stop: i % 2 ? '1.08150' : '1.08750',
    target: i % 2 ? '1.09050' : '1.07850',
  }));
  const calls = 20_000;
  let approved = 0;
  const ms = timeMedian(
    () => {
      for (let i = 0; i < calls; i++) if (validateTrade(requests[i & 63], state, limits, NOW + i).approved) approved++;
    },
    5,
    2,
  );
  rows.push({
    job: 'validateTrade (11 checks, decimal)',
    impl: 'ballast',
    ms: ms / calls,
    opsPerSec: Math.round(calls / (ms / 1000)),
    note:
      `${calls} calls per run on a mid-session account (12 trades today, 8 closed); ms is per call; ` +
      (approved > 0 ? 'approvals and rejections mixed' : 'all rejected'),
  });

  for (const fractional of [false, true]) {
    const input = rebalanceInput(500, fractional);
    let trades = 0;
    const planMs = timeMedian(
      () => {
        trades = planRebalance(input).trades.length;
      },
      15,
      3,
    );
    rows.push({
      job: `planRebalance (500 holdings, ${fractional ? 'fractional 1e-8' : 'whole shares'})`,
      impl: 'ballast',
      ms: planMs,
      opsPerSec: Math.round(1000 / planMs),
      note: `median of 15 plans; 5/25 band, fees, minTrade 50, maxTrades 400, cash buffer; ${trades} trades planned`,
    });
  }
  return rows;
}
