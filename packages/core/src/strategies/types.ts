import type * as z from 'zod/mini';

/**
 * OHLCV bars as parallel columns, oldest first. `time` is epoch milliseconds (UTC) of the bar's
 * open. Floats on purpose: strategies and the simulator are analysis, not money (DESIGN "Numbers").
 */
export interface CandleSeries {
  time: ArrayLike<number>;
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
  volume: ArrayLike<number>;
  length: number;
}

export type Side = 'long' | 'short';

/**
 * A trade idea formed at the close of bar i from bars 0..i only.
 * `stop`/`target` are absolute price levels, `null` when the strategy sets none.
 */
export interface Signal {
  side: Side;
  /** planned entry: the close of the signal bar (the backtest fills at the next bar's open) */
  entry: number;
  stop: number | null;
  target: number | null;
  /** 0..1 */
  confidence: number;
  reason: string;
}

/**
 * A strategy in two steps: `prepare` precomputes causal arrays once (every value at index i
 * depends on bars ≤ i only), `signal` reads them at bar i and allocates only when it signals.
 * `signal` must be a pure function of (state, i) so it can be called in any order.
 */
export interface Strategy<P = unknown, S = unknown> {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** zod schema: parsing `{}` yields the defaults; out-of-range values are rejected */
  readonly params: z.ZodMiniType<P>;
  prepare(candles: CandleSeries, params: P): S;
  signal(state: S, i: number): Signal | null;
}

/**
 * A strategy with its parameter and state types erased, for registries and generic callers:
 * `s.prepare(candles, s.params.parse(raw))` type-checks and is safe because the schema made P.
 * (Method syntax in `Strategy` keeps prepare/signal bivariant, so every Strategy<P, S> fits.)
 */
export type AnyStrategy = Strategy<unknown, unknown>;
