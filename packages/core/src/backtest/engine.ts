import type { CandleSeries, Signal, Strategy } from '../strategies/types.js';
import {
  BacktestConfigSchema,
  type BacktestConfig,
  type BacktestConfigInput,
  type CommissionConfig,
} from './config.js';
import { backtestReport } from './report.js';
import { EXIT_END, EXIT_SIGNAL, EXIT_STOP, EXIT_TARGET, TradeLog } from './trade-log.js';
import type { BacktestResult } from './types.js';

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
  const { cfg, state } = begin(input);
  const sim = simulate(input.candles, input.strategy, state, cfg);
  return backtestReport({ ...sim, config: cfg });
}

/** The config parsed, the candles checked and the strategy prepared: what every run starts from. */
function begin<P, S>(input: BacktestInput<P, S>): { cfg: BacktestConfig; state: S } {
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
  return { cfg, state: strategy.prepare(candles, params) };
}

/** How far a stepped run is: bars simulated of the bars traded (from `startIndex` to the end). */
export interface BacktestProgress {
  done: number;
  total: number;
}

/**
 * `runBacktest` in steps of `barsPerStep` bars, for a caller that reports progress between them
 * (a worker writing it where a reader sees it): yields after every step but the last, then
 * returns the result. The same simulation on the same carried state, only paused between bars, so
 * the result is runBacktest's bit for bit. Parsing, checks and `prepare` happen on the first `next()`.
 */
export function backtestSteps<P, S>(
  input: BacktestInput<P, S>,
  barsPerStep: number,
): Generator<BacktestProgress, BacktestResult, void> {
  if (!Number.isInteger(barsPerStep) || barsPerStep < 1) {
    throw new RangeError(`barsPerStep must be a whole number ≥ 1, not ${barsPerStep}`);
  }
  return steps(input, barsPerStep);
}

function* steps<P, S>(input: BacktestInput<P, S>, barsPerStep: number): Generator<BacktestProgress, BacktestResult> {
  const { cfg, state } = begin(input);
  const { candles, strategy } = input;
  const n = candles.length;
  const start = cfg.startIndex;
  const run = startSimulation(n, cfg, candles.time);
  for (let from = start; from < n; ) {
    const to = Math.min(n, from + barsPerStep);
    for (let block = from; block < to; block += BLOCK) {
      runBlock(candles, strategy, state, cfg, run.book, run.equity, run.log, block, Math.min(to, block + BLOCK));
    }
    from = to;
    if (from < n) yield { done: from - start, total: n - start };
  }
  const { equity, log, book } = run;
  return backtestReport({ equity, log, skipped: book.skipped, barsInMarket: book.barsInMarket, config: cfg });
}

interface Simulation {
  equity: Float64Array;
  log: TradeLog;
  skipped: number;
  barsInMarket: number;
}

/** Position and order state carried from one block of bars to the next. */
interface Book {
  cash: number;
  /** signed quantity: > 0 long, < 0 short, 0 flat */
  pos: number;
  dir: number;
  stop: number;
  target: number;
  entryIndex: number;
  entryPrice: number;
  entryCommission: number;
  entrySlippage: number;
  entrySignal: Signal | null;
  pendingAction: number;
  pendingSignal: Signal | null;
  skipped: number;
  barsInMarket: number;
}

/**
 * Bars per call of `runBlock`. The loop runs as many short calls instead of one call over all
 * bars: a function called once per backtest reaches optimised code only by on-stack replacement,
 * again on every run, and the code after its loop (compiled before it ever ran) deopts on exit.
 * Short blocks finish in the interpreter first, so V8 compiles `runBlock` normally, once, with
 * full type feedback, and enters it optimised from then on. Results do not depend on BLOCK
 * (a test splits a run at a block boundary).
 */
const BLOCK = 1024;

function simulate<S>(candles: CandleSeries, strategy: Strategy<unknown, S>, state: S, cfg: BacktestConfig): Simulation {
  const n = candles.length;
  const start = cfg.startIndex;
  const { equity, log, book } = startSimulation(n, cfg, candles.time);
  for (let from = start; from < n; from += BLOCK) {
    runBlock(candles, strategy, state, cfg, book, equity, log, from, Math.min(n, from + BLOCK));
  }
  return { equity, log, skipped: book.skipped, barsInMarket: book.barsInMarket };
}

/** The equity curve (warm-up bars at the initial capital), an empty trade log and a flat book. */
function startSimulation(n: number, cfg: BacktestConfig, time: ArrayLike<number>) {
  const start = cfg.startIndex;
  const equity = new Float64Array(n);
  const log = new TradeLog(time);
  for (let i = 0; i < start; i++) equity[i] = cfg.initialCapital;
  const book: Book = {
    cash: cfg.initialCapital,
    pos: 0,
    dir: 0,
    stop: NaN,
    target: NaN,
    entryIndex: -1,
    entryPrice: 0,
    entryCommission: 0,
    entrySlippage: 0,
    entrySignal: null,
    pendingAction: NONE,
    pendingSignal: null,
    skipped: 0,
    barsInMarket: 0,
  };
  return { equity, log, book };
}

function runBlock<S>(
  candles: CandleSeries,
  strategy: Strategy<unknown, S>,
  state: S,
  cfg: BacktestConfig,
  book: Book,
  equity: Float64Array,
  log: TradeLog,
  from: number,
  to: number,
): void {
  const n = candles.length;
  const { open, high, low, close } = candles;
  const slip = cfg.slippageBps / 10_000;
  const riskSizing = cfg.sizing.mode === 'risk';
  const allowShort = cfg.allowShort;
  const onOpposite = cfg.onOpposite;

  // The hot state lives in locals inside the block (V8 keeps them in registers).
  let {
    cash,
    pos,
    dir,
    stop,
    target,
    entryIndex,
    entryPrice,
    entryCommission,
    entrySlippage,
    entrySignal,
    pendingAction,
    pendingSignal,
    skipped,
    barsInMarket,
  } = book;

  for (let i = from; i < to; i++) {
    // exit fill of this bar, if any: price paid/received, the untouched level, and why
    let exitPrice = NaN;
    let exitRaw = NaN;
    let exitReason = EXIT_SIGNAL;

    // 1. the opening auction: orders decided at the previous close
    if (pendingAction !== NONE) {
      const sig = pendingSignal as Signal;
      const o = open[i];
      if (pendingAction !== OPEN && pos !== 0) {
        exitRaw = o;
        exitPrice = o * (1 - dir * slip);
      }
      if (exitPrice === exitPrice) {
        const q = pos > 0 ? pos : -pos;
        const fee = commission(q, exitPrice, cfg.commission);
        cash -= -pos * exitPrice + fee;
        log.add(
          pos,
          entryIndex,
          i,
          entryPrice,
          exitPrice,
          stop,
          target,
          entryCommission + fee,
          entrySlippage + q * Math.abs(exitPrice - exitRaw),
          EXIT_SIGNAL,
          entrySignal as Signal,
        );
        pos = 0;
        dir = 0;
        exitPrice = NaN;
      }
      if (pendingAction !== CLOSE && pos === 0) {
        const d = sig.side === 'long' ? 1 : -1;
        const s = sig.stop ?? NaN;
        const t = sig.target ?? NaN;
        // A bracket already crossed at the opening price is stale: the entry is cancelled.
        const stale = d > 0 ? o <= s || o >= t : o >= s || o <= t;
        const price = o * (1 + d * slip);
        const q = stale || (riskSizing && s !== s) ? 0 : orderQuantity(cash + pos * o, price, s, cfg);
        if (q > 0) {
          const fee = commission(q, price, cfg.commission);
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
        } else skipped++;
      }
      pendingAction = NONE;
      pendingSignal = null;
    }

    // 2. inside the bar: gaps fill at the open; stop first when both levels are touched (pessimistic)
    if (pos !== 0) {
      // With neither level set every comparison below is with NaN and false: skip them and the
      // reads of the bar's open, high and low (a stop-and-reverse strategy is always in the market).
      if (stop === stop || target === target) {
        const o = open[i];
        if (dir > 0) {
          if (o <= stop) {
            exitRaw = o;
            exitPrice = o * (1 - slip);
            exitReason = EXIT_STOP;
          } else if (o >= target) {
            exitRaw = exitPrice = o;
            exitReason = EXIT_TARGET;
          } else if (low[i] <= stop) {
            exitRaw = stop;
            exitPrice = stop * (1 - slip);
            exitReason = EXIT_STOP;
          } else if (high[i] >= target) {
            exitRaw = exitPrice = target;
            exitReason = EXIT_TARGET;
          }
        } else {
          if (o >= stop) {
            exitRaw = o;
            exitPrice = o * (1 + slip);
            exitReason = EXIT_STOP;
          } else if (o <= target) {
            exitRaw = exitPrice = o;
            exitReason = EXIT_TARGET;
          } else if (high[i] >= stop) {
            exitRaw = stop;
            exitPrice = stop * (1 + slip);
            exitReason = EXIT_STOP;
          } else if (low[i] <= target) {
            exitRaw = exitPrice = target;
            exitReason = EXIT_TARGET;
          }
        }
      }
      // 3. end of data: whatever is still open goes at the last close
      if (exitPrice !== exitPrice && i === n - 1) {
        exitRaw = close[i];
        exitPrice = exitRaw * (1 - dir * slip);
        exitReason = EXIT_END;
        barsInMarket++;
      }
      if (exitPrice === exitPrice) {
        const q = pos > 0 ? pos : -pos;
        const fee = commission(q, exitPrice, cfg.commission);
        cash -= -pos * exitPrice + fee;
        log.add(
          pos,
          entryIndex,
          i,
          entryPrice,
          exitPrice,
          stop,
          target,
          entryCommission + fee,
          entrySlippage + q * Math.abs(exitPrice - exitRaw),
          exitReason,
          entrySignal as Signal,
        );
        pos = 0;
        dir = 0;
      }
    }

    if (pos !== 0) barsInMarket++;
    equity[i] = cash + pos * close[i];
    if (i === n - 1) break;

    // 4. the close: a signal from bars 0..i becomes an order for the next open
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

  book.cash = cash;
  book.pos = pos;
  book.dir = dir;
  book.stop = stop;
  book.target = target;
  book.entryIndex = entryIndex;
  book.entryPrice = entryPrice;
  book.entryCommission = entryCommission;
  book.entrySlippage = entrySlippage;
  book.entrySignal = entrySignal;
  book.pendingAction = pendingAction;
  book.pendingSignal = pendingSignal;
  book.skipped = skipped;
  book.barsInMarket = barsInMarket;
}

/** Commission of one fill: max(minimum, fixed + perShare·q + rate·q·price). */
export function commission(q: number, price: number, c: CommissionConfig): number {
  const fee = c.fixed + c.perShare * q + c.rate * q * price;
  return fee > c.minimum ? fee : c.minimum;
}

/**
 * Quantity for an entry at `price` with `equity` marked at the fill's open: the largest q with
 * q·price + commission(q) ≤ equity × budget fraction (commission is max(min, fixed + q·k), so
 * this is solved piecewise), further capped by equity × riskPercent / |price − stop| under risk
 * sizing, then rounded down to quantityStep. 0 when nothing can be bought.
 */
export function orderQuantity(equity: number, price: number, stop: number, cfg: BacktestConfig): number {
  const c = cfg.commission;
  const sizing = cfg.sizing;
  const budget = equity * (sizing.mode === 'risk' ? sizing.maxPercent : sizing.percent);
  const k = c.perShare + c.rate * price;
  let q = (budget - c.fixed) / (price + k);
  if (c.fixed + q * k < c.minimum) q = (budget - c.minimum) / price;
  if (sizing.mode === 'risk') {
    const qRisk = (equity * sizing.riskPercent) / Math.abs(price - stop);
    if (qRisk < q) q = qRisk;
  }
  const step = cfg.quantityStep;
  if (step > 0) q = Math.floor(q / step + 1e-9) * step;
  return q > 0 && Number.isFinite(q) ? q : 0;
}
