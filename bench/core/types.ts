import { mulberry32 } from '../../packages/core/src/optimiser/prng.js';

/** Shared shapes for the core benchmarks (bench/core.ts merges every module's rows). */
export interface Candles {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  length: number;
}

export interface BenchRow {
  /** what was measured, e.g. 'EMA(20)' */
  job: string;
  /** who did it, e.g. 'ballast', 'reference loop', 'technicalindicators' */
  impl: string;
  /** median wall time of one run, ms */
  ms: number;
  /** optional throughput, operations per second */
  opsPerSec?: number;
  /** ratio against the row named by `baseline` in the same run */
  ratio?: number;
  baseline?: string;
  target?: string;
  met?: boolean;
  note?: string;
}

/** Deterministic synthetic candles: a seeded random walk (mulberry32), minute bars. */
export function syntheticCandles(n: number, seed = 42): Candles {
  const rnd = mulberry32(seed);
  const time = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let price = 100;
  const t0 = Date.UTC(2020, 0, 1);
  for (let i = 0; i < n; i++) {
    const o = price;
    const c = Math.max(1, o * (1 + (rnd() - 0.5) * 0.01));
    const h = Math.max(o, c) * (1 + rnd() * 0.003);
    const l = Math.min(o, c) * (1 - rnd() * 0.003);
    time[i] = t0 + i * 60_000;
    open[i] = o;
    high[i] = h;
    low[i] = l;
    close[i] = c;
    volume[i] = 1000 + Math.floor(rnd() * 9000);
    price = c;
  }
  return { time, open, high, low, close, volume, length: n };
}

/** Median of `runs` timings of fn (after `warmup` untimed runs), in ms. */
export function timeMedian(fn: () => unknown, runs = 5, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
