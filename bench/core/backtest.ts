// Backtest throughput: a 1M-bar smaCross backtest with every metric, against the bare EMA(20)
// loop measured in the same run (the indicators bench's yardstick).
import { runBacktest } from '../../packages/core/src/backtest/index.js';
import { smaCross } from '../../packages/core/src/strategies/index.js';
import { referenceEmaMs } from './indicators.js';
import { timeMedian, type BenchRow, type Candles } from './types.js';

const TARGET = 40;

export function bench(candles: Candles): BenchRow[] {
  const n = candles.length;
  const job = `smaCross backtest + metrics, ${n.toLocaleString('en')} bars`;
  const config = { commission: { rate: 0.0005 }, slippageBps: 1 };
  const params = { fast: 10, slow: 30 };
  let trades = 0;
  const run = () => {
    trades = runBacktest({ candles, strategy: smaCross, params, config }).metrics.tradeCount;
  };
  const runWithLog = () => runBacktest({ candles, strategy: smaCross, params, config }).trades.length;
  // reference before and after, keep the faster: a noisy machine must not flatter the ratio
  const ref1 = referenceEmaMs(candles);
  const ms = timeMedian(run, 5, 2);
  const msLog = timeMedian(runWithLog, 5, 1);
  const ref = Math.min(ref1, referenceEmaMs(candles));
  const ratio = ms / ref;
  const setup = `SMA(10/30), next-open fills, 0.05% commission, 1 bp slippage, ${trades.toLocaleString('en')} trades`;
  return [
    {
      job,
      impl: 'reference EMA(20) loop',
      ms: ref,
      opsPerSec: Math.round(n / (ref / 1000)),
      note: 'bare Float64Array loop, the yardstick',
    },
    {
      job,
      impl: 'ballast runBacktest',
      ms,
      opsPerSec: Math.round(n / (ms / 1000)),
      ratio,
      baseline: 'reference EMA(20) loop',
      target: `≤ ${TARGET}× reference`,
      met: ratio <= TARGET,
      note:
        `${setup}; equity and drawdown curves, columnar trade log, every metric ` +
        '(backtest-kit not installed, not measured)',
    },
    {
      job,
      impl: 'ballast runBacktest + result.trades',
      ms: msLog,
      opsPerSec: Math.round(n / (msLog / 1000)),
      ratio: msLog / ref,
      baseline: 'reference EMA(20) loop',
      note: 'as above, plus building every Trade object (done on first access of result.trades)',
    },
  ];
}
