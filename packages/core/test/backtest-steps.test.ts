import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backtestSteps,
  type BacktestConfigInput,
  type BacktestProgress,
  type BacktestResult,
  downsampleCurve,
  lttbIndices,
  runBacktest,
} from '../src/backtest/index.js';
import { mulberry32 } from '../src/optimiser/prng.js';
import { strategies } from '../src/strategies/index.js';
import type { AnyStrategy, CandleSeries } from '../src/strategies/types.js';

const MINUTE = 60_000;

/** A random walk of `n` one-minute bars from a seed. */
function walk(n: number, seed: number): CandleSeries {
  const rnd = mulberry32(seed);
  const c = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    length: n,
  };
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    const cl = o * (1 + (rnd() - 0.5) * 0.02);
    c.time[i] = 1_700_000_000_000 + i * MINUTE;
    c.open[i] = o;
    c.high[i] = Math.max(o, cl) * (1 + rnd() * 0.005);
    c.low[i] = Math.min(o, cl) * (1 - rnd() * 0.005);
    c.close[i] = cl;
    c.volume[i] = 1000 + Math.floor(rnd() * 1000);
    p = cl;
  }
  return c;
}

/** Drives the generator to its end, keeping what it yielded. */
function drain(steps: Generator<BacktestProgress, BacktestResult, void>) {
  const seen: BacktestProgress[] = [];
  for (;;) {
    const next = steps.next();
    if (next.done) return { result: next.value, seen };
    seen.push(next.value);
  }
}

function expectIdentical(a: BacktestResult, b: BacktestResult) {
  expect(Buffer.from(a.equity.buffer).equals(Buffer.from(b.equity.buffer))).toBe(true);
  expect(Buffer.from(a.drawdown.buffer).equals(Buffer.from(b.drawdown.buffer))).toBe(true);
  expect(a.trades).toEqual(b.trades);
  expect(a.metrics).toEqual(b.metrics);
  expect(a.money).toEqual(b.money);
  expect(a.skippedSignals).toBe(b.skippedSignals);
}

describe('backtestSteps', () => {
  const config: BacktestConfigInput = {
    commission: { perShare: 0, rate: 0.0005, fixed: 1, minimum: 0 },
    slippageBps: 3,
    startIndex: 50,
  };

  it.each([
    ['trend', 1],
    ['trend', 997],
    ['breakout', 5000],
    ['smaCross', 700],
    ['auction', 1024],
    ['confluence', 3333],
    ['trend', 1_000_000],
  ] as const)('%s in steps of %i bars is runBacktest bit for bit', (name, barsPerStep) => {
    const candles = walk(6000, 11);
    const strategy: AnyStrategy = strategies[name];
    const input = { candles, strategy, config };
    const whole = runBacktest(input);
    const { result, seen } = drain(backtestSteps(input, barsPerStep));
    expectIdentical(result, whole);
    if (name !== 'breakout') expect(whole.trades.length, 'the walk trades').toBeGreaterThan(0);
    // progress: after every step but the last, increasing, of the traded bars
    const total = 6000 - 50;
    expect(seen.length).toBe(Math.ceil(total / barsPerStep) - 1);
    seen.forEach((p, k) => expect(p).toEqual({ done: (k + 1) * barsPerStep, total }));
  });

  it('checks its inputs on the first step, and refuses a step of no bars', () => {
    const candles = walk(10, 1);
    expect(() => backtestSteps({ candles, strategy: strategies.trend }, 0)).toThrow(RangeError);
    const steps = backtestSteps({ candles, strategy: strategies.trend, config: { startIndex: 10 } }, 5);
    expect(() => steps.next()).toThrow(/startIndex 10/);
  });
});

describe('lttbIndices', () => {
  it('keeps the first and last points and one point a bucket: the one with the largest triangle', () => {
    // a flat line with one spike in each of the three middle buckets
    const y = [0, 0, 5, 0, 0, 0, -7, 0, 0, 0, 9, 0, 0];
    const x = y.map((_, i) => i);
    expect(lttbIndices(x, y, 5)).toEqual([0, 2, 6, 10, 12]);
  });

  it('gives a short series back whole, and refuses mismatched columns', () => {
    expect(lttbIndices([0, 1, 2], [3, 4, 5], 3)).toEqual([0, 1, 2]);
    expect(lttbIndices([0, 1, 2, 3], [3, 4, 5, 6], 2)).toEqual([0, 1, 2, 3]);
    expect(() => lttbIndices([0, 1], [1], 3)).toThrow(RangeError);
  });
});

describe('downsampleCurve', () => {
  const curve = (values: number[]) => {
    const equity = Float64Array.from(values);
    const drawdown = new Float64Array(values.length);
    let peak = -Infinity;
    values.forEach((e, i) => {
      peak = Math.max(peak, e);
      drawdown[i] = e / peak - 1;
    });
    const time = Float64Array.from(values, (_, i) => i * MINUTE);
    return { time, equity, drawdown };
  };
  const argmax = (a: ArrayLike<number>) => Array.prototype.indexOf.call(a, Math.max(...Array.from(a)));
  const argmin = (a: ArrayLike<number>) => Array.prototype.indexOf.call(a, Math.min(...Array.from(a)));

  it('keeps a one-bar spike and a one-bar crash that LTTB alone drops', () => {
    // a rising line with a narrow spike and crash next to bigger wiggles in the same buckets
    const values = Array.from({ length: 1000 }, (_, i) => 1000 + i + (i % 2 ? 30 : -30));
    values[501] = 5000;
    values[502] = 10;
    const c = curve(values);
    const kept = downsampleCurve(c.time, c.equity, c.drawdown, 20);
    expect(kept.length).toBeLessThanOrEqual(20);
    expect(kept).toEqual(expect.arrayContaining([0, 999, 501, 502]));
  });

  it('refuses fewer than five points and columns of other lengths', () => {
    const c = curve([1, 2, 3]);
    expect(() => downsampleCurve(c.time, c.equity, c.drawdown, 4)).toThrow(RangeError);
    expect(() => downsampleCurve(c.time, c.equity, c.drawdown.subarray(1), 5)).toThrow(RangeError);
  });

  it('property: ≤ maxPoints, increasing, extremes and ends kept, a short curve whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 5, max: 2500 }),
        (values, maxPoints) => {
          const c = curve(values);
          const kept = downsampleCurve(c.time, c.equity, c.drawdown, maxPoints);
          if (values.length <= maxPoints) {
            expect(kept).toEqual(values.map((_, i) => i));
            return;
          }
          expect(kept.length).toBeLessThanOrEqual(maxPoints);
          for (let k = 1; k < kept.length; k++) expect(kept[k]).toBeGreaterThan(kept[k - 1]);
          expect(kept[0]).toBe(0);
          expect(kept.at(-1)).toBe(values.length - 1);
          const shown = new Set(kept);
          expect(shown.has(argmax(c.equity))).toBe(true);
          expect(shown.has(argmin(c.equity))).toBe(true);
          expect(shown.has(argmin(c.drawdown))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
