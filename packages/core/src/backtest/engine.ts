import type { CandleSeries, Signal, Strategy } from '../strategies/types.js';
import { BacktestConfigSchema, type BacktestConfigInput } from './config.js';
import { backtestReport } from './report.js';
import type { BacktestResult, ExitReason, Trade } from './types.js';

export interface BacktestInput<P, S> {
  candles: CandleSeries;
  strategy: Strategy<P, S>;
  /** raw parameters, parsed by `strategy.params` (defaults filled, ranges enforced) */
  params?: unknown;
  config?: BacktestConfigInput;
}

const NONE = 0;
const OPEN = 1;
const CLOSE = 2;
const REVERSE = 3;

/**
 * Event-driven backtest, one position at a time. For each bar i (see CONVENTIONS):
 *   1. at the open: execute the order decided at the close of bar i−1 (exit and/or entry);
 *   2. inside the bar: check stop and target of the open position (the entry bar included,
 *      since its whole range trades after the opening fill), stop first when both are touched;
 *   3. at the close: mark equity, ask the strategy for a signal from bars 0..i.
 * A position still open after the last bar is closed at the last close.
 */
export function runBacktest<P, S>(input: BacktestInput<P, S>): BacktestResult {
  const cfg = BacktestConfigSchema.parse(input.config ?? {});
  const { candles, strategy } = input;
  const params = strategy.params.parse(input.params ?? {});
  const n = candles.length;
  if (!Number.isInteger(n) || n < 1) throw new RangeError('runBacktest needs at least one candle');
  for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
    if (candles[k].length !== n) throw new RangeError(`candles.${k} has ${candles[k].length} values, expected ${n}`);
  }
  const start = cfg.startIndex;
  if (start >= n) throw new RangeError(`startIndex ${start} is beyond the last bar ${n - 1}`);

  const state = strategy.prepare(candles, params);
  const { time, open, high, low, close } = candles;

  const cPerShare = cfg.commission.perShare;
  const cRate = cfg.commission.rate;
  const cFixed = cfg.commission.fixed;
  const cMin = cfg.commission.minimum;
  const slip = cfg.slippageBps / 10_000;
  const step = cfg.quantityStep;
  const riskSizing = cfg.sizing.mode === 'risk';
  const budgetFraction = cfg.sizing.mode === 'risk' ? cfg.sizing.maxPercent : cfg.sizing.percent;
  const riskFraction = cfg.sizing.mode === 'risk' ? cfg.sizing.riskPercent : 0;
  const allowShort = cfg.allowShort;
  const onOpposite = cfg.onOpposite;

  const equity = new Float64Array(n);
  const trades: Trade[] = [];
  let skipped = 0;
  let barsInMarket = 0;

  let cash = cfg.initialCapital;
  // signed quantity: > 0 long, < 0 short, 0 flat
  let pos = 0;
  let dir = 0;
  let stop = NaN;
  let target = NaN;
  let entryIndex = -1;
  let entryPrice = 0;
  let entryCommission = 0;
  let entrySlippage = 0;
  let entrySignal: Signal | null = null;

  let pendingAction = NONE;
  let pendingSignal: Signal | null = null;

  const commission = (q: number, p: number): number => {
    const c = cFixed + cPerShare * q + cRate * q * p;
    return c > cMin ? c : cMin;
  };

  const exit = (i: number, price: number, rawPrice: number, reason: ExitReason): void => {
    const q = pos > 0 ? pos : -pos;
    const fee = commission(q, price);
    cash -= -pos * price + fee;
    const gross = pos * (price - entryPrice);
    const totalFee = entryCommission + fee;
    const sig = entrySignal as Signal;
    trades.push({
      side: dir > 0 ? 'long' : 'short',
      quantity: q,
      entryIndex,
      exitIndex: i,
      entryTime: time[entryIndex],
      exitTime: time[i],
      entryPrice,
      exitPrice: price,
      stop: Number.isNaN(stop) ? null : stop,
      target: Number.isNaN(target) ? null : target,
      commission: totalFee,
      slippage: entrySlippage + q * Math.abs(price - rawPrice),
      grossPnl: gross,
      pnl: gross - totalFee,
      returnPct: (gross - totalFee) / (q * entryPrice),
      barsHeld: i - entryIndex,
      exitReason: reason,
      reason: sig.reason,
      confidence: sig.confidence,
    });
    pos = 0;
    dir = 0;
    entrySignal = null;
  };

  const enter = (i: number, sig: Signal): void => {
    const o = open[i];
    const d = sig.side === 'long' ? 1 : -1;
    const s = sig.stop ?? NaN;
    const t = sig.target ?? NaN;
    // A bracket already crossed at the opening price is stale: the entry is cancelled.
    if (d > 0 ? o <= s || o >= t : o >= s || o <= t) {
      skipped++;
      return;
    }
    if (riskSizing && Number.isNaN(s)) {
      skipped++;
      return;
    }
    const price = o * (1 + d * slip);
    const eq = cash + pos * o;
    // Largest q with q·price + commission(q) ≤ budget (commission is max(min, fixed + q·k)).
    const budget = eq * budgetFraction;
    const k = cPerShare + cRate * price;
    let q = (budget - cFixed) / (price + k);
    if (cFixed + q * k < cMin) q = (budget - cMin) / price;
    if (riskSizing) {
      const qRisk = (eq * riskFraction) / Math.abs(price - s);
      if (qRisk < q) q = qRisk;
    }
    if (step > 0) q = Math.floor(q / step + 1e-9) * step;
    if (!(q > 0) || !Number.isFinite(q)) {
      skipped++;
      return;
    }
    const fee = commission(q, price);
    pos = d * q;
    dir = d;
    cash -= pos * price + fee;
    stop = s;
    target = t;
    entryIndex = i;
    entryPrice = price;
    entryCommission = fee;
    entrySlippage = q * Math.abs(price - o);
    entrySignal = sig;
  };

  for (let i = 0; i < start; i++) equity[i] = cfg.initialCapital;

  for (let i = start; i < n; i++) {
    // 1. the opening auction: orders decided at the previous close
    if (pendingAction !== NONE) {
      const sig = pendingSignal as Signal;
      if (pendingAction !== OPEN && pos !== 0) {
        const o = open[i];
        exit(i, o * (1 - dir * slip), o, 'signal');
      }
      if (pendingAction !== CLOSE && pos === 0) enter(i, sig);
      pendingAction = NONE;
      pendingSignal = null;
    }

    // 2. inside the bar: stop first when both levels are touched (pessimistic)
    if (pos !== 0) {
      const o = open[i];
      if (dir > 0) {
        if (o <= stop) exit(i, o * (1 - slip), o, 'stop');
        else if (o >= target) exit(i, o, o, 'target');
        else if (low[i] <= stop) exit(i, stop * (1 - slip), stop, 'stop');
        else if (high[i] >= target) exit(i, target, target, 'target');
      } else {
        if (o >= stop) exit(i, o * (1 + slip), o, 'stop');
        else if (o <= target) exit(i, o, o, 'target');
        else if (high[i] >= stop) exit(i, stop * (1 + slip), stop, 'stop');
        else if (low[i] <= target) exit(i, target, target, 'target');
      }
    }

    // 3. the close
    if (i === n - 1) {
      if (pos !== 0) {
        const c = close[i];
        exit(i, c * (1 - dir * slip), c, 'end');
        barsInMarket++;
      }
      equity[i] = cash;
      break;
    }
    if (pos !== 0) barsInMarket++;
    equity[i] = cash + pos * close[i];

    const sig = strategy.signal(state, i);
    if (sig !== null) {
      const d = sig.side === 'long' ? 1 : -1;
      if (pos === 0) {
        if (d > 0 || allowShort) {
          pendingAction = OPEN;
          pendingSignal = sig;
        }
      } else if (d !== dir && onOpposite !== 'ignore') {
        pendingAction = onOpposite === 'reverse' && (d > 0 || allowShort) ? REVERSE : CLOSE;
        pendingSignal = sig;
      }
    }
  }

  return backtestReport({ equity, trades, skipped, barsInMarket, config: cfg });
}
