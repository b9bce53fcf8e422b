import type { Signal } from '../strategies/types.js';
import type { ExitReason, Trade } from './types.js';

const REASONS: readonly ExitReason[] = ['stop', 'target', 'signal', 'end'];
export const EXIT_STOP = 0;
export const EXIT_TARGET = 1;
export const EXIT_SIGNAL = 2;
export const EXIT_END = 3;

/**
 * The trade log as columns while the simulation runs. A `Trade` object holds a dozen floats and
 * V8 boxes each float property in a heap object of its own, so 40,000 trades alive through a
 * run cost the garbage collector more than the bar loop itself; number[] columns store the
 * floats unboxed. `Trade` objects are built from the columns only when asked for.
 */
export class TradeLog {
  side: Float64Array = new Float64Array(64);
  quantity: Float64Array = new Float64Array(64);
  entryIndex: Float64Array = new Float64Array(64);
  exitIndex: Float64Array = new Float64Array(64);
  entryPrice: Float64Array = new Float64Array(64);
  exitPrice: Float64Array = new Float64Array(64);
  stop: Float64Array = new Float64Array(64);
  target: Float64Array = new Float64Array(64);
  commission: Float64Array = new Float64Array(64);
  slippage: Float64Array = new Float64Array(64);
  grossPnl: Float64Array = new Float64Array(64);
  pnl: Float64Array = new Float64Array(64);
  exitReason: Float64Array = new Float64Array(64);
  confidence: Float64Array = new Float64Array(64);
  readonly reason: string[] = [];

  /** `time` is the candles' time column, which the trade indices point into */
  constructor(readonly time: ArrayLike<number>) {}

  length = 0;

  /** Record a round trip; `pos` is the signed quantity that was held, fees are entry + exit. */
  add(
    pos: number,
    entryIndex: number,
    exitIndex: number,
    entryPrice: number,
    exitPrice: number,
    stop: number,
    target: number,
    fees: number,
    slippage: number,
    exitReason: number,
    sig: Signal,
  ): void {
    const k = this.length;
    if (k === this.pnl.length) this.grow();
    this.side[k] = pos > 0 ? 1 : -1;
    this.quantity[k] = pos > 0 ? pos : -pos;
    this.entryIndex[k] = entryIndex;
    this.exitIndex[k] = exitIndex;
    this.entryPrice[k] = entryPrice;
    this.exitPrice[k] = exitPrice;
    this.stop[k] = stop;
    this.target[k] = target;
    this.commission[k] = fees;
    this.slippage[k] = slippage;
    const gross = pos * (exitPrice - entryPrice);
    this.grossPnl[k] = gross;
    this.pnl[k] = gross - fees;
    this.exitReason[k] = exitReason;
    this.confidence[k] = sig.confidence;
    this.length = k + 1;
    this.reason.push(sig.reason);
  }

  private grow(): void {
    const cap = this.pnl.length * 2;
    const g = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.side = g(this.side);
    this.quantity = g(this.quantity);
    this.entryIndex = g(this.entryIndex);
    this.exitIndex = g(this.exitIndex);
    this.entryPrice = g(this.entryPrice);
    this.exitPrice = g(this.exitPrice);
    this.stop = g(this.stop);
    this.target = g(this.target);
    this.commission = g(this.commission);
    this.slippage = g(this.slippage);
    this.grossPnl = g(this.grossPnl);
    this.pnl = g(this.pnl);
    this.exitReason = g(this.exitReason);
    this.confidence = g(this.confidence);
  }

  /** Trade k as a plain object (unrounded floats). */
  trade(k: number): Trade {
    const q = this.quantity[k];
    const entryIndex = this.entryIndex[k];
    const exitIndex = this.exitIndex[k];
    const entryPrice = this.entryPrice[k];
    const stop = this.stop[k];
    const target = this.target[k];
    const commission = this.commission[k];
    const pnl = this.pnl[k];
    return {
      side: this.side[k] > 0 ? 'long' : 'short',
      quantity: q,
      entryIndex,
      exitIndex,
      entryTime: this.time[entryIndex],
      exitTime: this.time[exitIndex],
      entryPrice,
      exitPrice: this.exitPrice[k],
      stop: stop === stop ? stop : null,
      target: target === target ? target : null,
      commission,
      slippage: this.slippage[k],
      grossPnl: this.grossPnl[k],
      pnl,
      returnPct: pnl / (q * entryPrice),
      barsHeld: exitIndex - entryIndex,
      exitReason: REASONS[this.exitReason[k]],
      reason: this.reason[k],
      confidence: this.confidence[k],
    };
  }

  toTrades(): Trade[] {
    const out = new Array<Trade>(this.length);
    for (let k = 0; k < out.length; k++) out[k] = this.trade(k);
    return out;
  }
}
