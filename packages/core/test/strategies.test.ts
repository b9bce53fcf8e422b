import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { runBacktest } from '../src/backtest/index.js';
import { sma } from '../src/indicators/index.js';
import { mulberry32 } from '../src/optimiser/index.js';
import {
  strategies,
  type AnyStrategy,
  type CandleSeries,
  type Signal,
  type Strategy,
} from '../src/strategies/index.js';

interface Cols {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  length: number;
}

/** A trending, mean-reverting random walk with volume spikes, so every strategy has setups. */
function market(n: number, seed: number, startPrice = 100): Cols {
  const rnd = mulberry32(seed);
  const c: Cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    length: n,
  };
  let p = startPrice;
  let drift = 0;
  for (let i = 0; i < n; i++) {
    if (i % 40 === 0) drift = (rnd() - 0.5) * 0.01;
    const o = p * (1 + (rnd() - 0.5) * 0.004);
    const cl = o * (1 + drift + (rnd() - 0.5) * 0.02);
    c.time[i] = 1_600_000_000_000 + i * 3_600_000;
    c.open[i] = o;
    c.close[i] = cl;
    c.high[i] = Math.max(o, cl) * (1 + rnd() * 0.008);
    c.low[i] = Math.min(o, cl) * (1 - rnd() * 0.008);
    c.volume[i] = (500 + rnd() * 1000) * (rnd() < 0.15 ? 3 : 1);
    p = cl;
  }
  return c;
}

/** A copy of `c` whose bars after i are replaced by unrelated random bars (another seed, another price level). */
function withNewTail(c: Cols, i: number, seed: number): Cols {
  const tail = market(c.length, seed, 20 + (seed % 500));
  const out = market(c.length, 0);
  for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
    out[k].set(c[k].subarray(0, i + 1));
    out[k].set(tail[k].subarray(i + 1), i + 1);
  }
  return out;
}

// Smaller-than-default windows give the 400-bar test series enough setups.
const testParams: Record<string, Record<string, unknown>> = {
  breakout: { volumeMultiple: 1.2 },
  trend: { htfFactor: 4, htfPeriod: 10 },
  auction: { lookback: 30 },
  confluence: { toleranceAtr: 1.5, minRewardRisk: 0.5 },
  smaCross: { fast: 5, slow: 20 },
  buyAndHold: {},
};

function signalsUpTo(s: AnyStrategy, c: CandleSeries, params: unknown, i: number): (Signal | null)[] {
  const state = s.prepare(c, params);
  const out: (Signal | null)[] = [];
  for (let j = 0; j <= i; j++) out.push(s.signal(state, j));
  return out;
}

const N = 400;
const all = Object.values(strategies) as AnyStrategy[];

describe.each(all.map((s) => [s.id, s] as const))('strategy %s', (id, s) => {
  const params = s.params.parse(testParams[id] ?? {});

  it('has metadata and produces signals on a lively market', () => {
    expect(s.name.length).toBeGreaterThan(0);
    expect(s.description.length).toBeGreaterThan(10);
    const c = market(N, 1);
    const sigs = signalsUpTo(s, c, params, N - 1).filter((x): x is Signal => x !== null);
    expect(sigs.length).toBeGreaterThan(0);
    for (const g of sigs) {
      expect(['long', 'short']).toContain(g.side);
      expect(g.confidence).toBeGreaterThanOrEqual(0);
      expect(g.confidence).toBeLessThanOrEqual(1);
      expect(g.reason.length).toBeGreaterThan(0);
      expect(Number.isFinite(g.entry)).toBe(true);
      // stops sit on the losing side of the entry, targets on the winning side
      const d = g.side === 'long' ? 1 : -1;
      if (g.stop !== null) expect(d * (g.entry - g.stop)).toBeGreaterThan(0);
      if (g.target !== null) expect(d * (g.target - g.entry)).toBeGreaterThan(0);
    }
  });

  it('no look-ahead: signals at bars ≤ i do not change when bars after i change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: N - 2 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 50 }),
        (i, seed, base) => {
          const c = market(N, base);
          const changed = withNewTail(c, i, seed);
          expect(signalsUpTo(s, changed, params, i)).toEqual(signalsUpTo(s, c, params, i));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('params: {} fills the defaults; out-of-range numbers are rejected', () => {
    const defaults = s.params.parse({}) as Record<string, unknown>;
    expect(typeof defaults).toBe('object');
    for (const [key, value] of Object.entries(defaults)) {
      expect(value).not.toBeUndefined();
      if (typeof value !== 'number') continue;
      expect(() => s.params.parse({ [key]: 1e9 }), `${id}.${key} = 1e9`).toThrow();
      expect(() => s.params.parse({ [key]: -1e9 }), `${id}.${key} = -1e9`).toThrow();
      expect(() => s.params.parse({ [key]: 'x' }), `${id}.${key} = 'x'`).toThrow();
    }
  });

  it('unknown parameters are refused (a typo must not silently fall back to a default)', () => {
    expect(() => s.params.parse({ noSuchParam: 1 })).toThrow();
  });

  it('every parameter carries a description', () => {
    const shape = (s.params as unknown as z.ZodMiniObject).shape;
    for (const [key, field] of Object.entries(shape))
      expect(z.globalRegistry.get(field)?.description, `${id}.${key}`).toBeTruthy();
  });

  it('params turn into a JSON Schema carrying every default and description, unknown keys refused', () => {
    type Property = { default?: unknown; description?: string };
    const json = z.toJSONSchema(s.params, { io: 'input' }) as {
      properties: Record<string, Property>;
      additionalProperties: unknown;
    };
    const defaults = s.params.parse({}) as Record<string, unknown>;
    expect(Object.keys(json.properties).sort()).toEqual(Object.keys(defaults).sort());
    for (const [key, value] of Object.entries(defaults)) {
      expect(json.properties[key].default, `${id}.${key}`).toEqual(value);
      expect(json.properties[key].description, `${id}.${key}`).toBeTruthy();
    }
    expect(json.additionalProperties).toBe(false);
  });

  it('runs through the backtest end to end', () => {
    const r = runBacktest({
      candles: market(N, 2),
      strategy: s,
      params: testParams[id],
      config: { slippageBps: 2, commission: { rate: 0.0005 } },
    });
    expect(r.equity).toHaveLength(N);
    expect(Number.isFinite(r.metrics.finalEquity)).toBe(true);
  });
});

describe('smaCross against the batch SMAs', () => {
  it('signals exactly where SMA(fast) crosses SMA(slow)', () => {
    const c = market(3000, 8);
    const f = sma(c.close, 5);
    const sl = sma(c.close, 20);
    const st = strategies.smaCross.prepare(c, strategies.smaCross.params.parse({ fast: 5, slow: 20 }));
    let crosses = 0;
    for (let i = 1; i < c.length; i++) {
      const up = f[i] > sl[i] && f[i - 1] <= sl[i - 1];
      const down = f[i] < sl[i] && f[i - 1] >= sl[i - 1];
      const sig = strategies.smaCross.signal(st, i);
      expect(sig?.side ?? null).toBe(up ? 'long' : down ? 'short' : null);
      if (up || down) crosses++;
    }
    expect(crosses).toBeGreaterThan(50);
  });
});

describe('strategy parameter rules', () => {
  it('crossover periods must be ordered', () => {
    expect(() => strategies.smaCross.params.parse({ fast: 30, slow: 10 })).toThrow();
    expect(() => strategies.trend.params.parse({ fast: 30, slow: 30 })).toThrow();
    expect(strategies.smaCross.params.parse({})).toEqual({ fast: 10, slow: 30, stopPct: 0, targetPct: 0 });
  });

  it('integer periods refuse fractions', () => {
    expect(() => strategies.breakout.params.parse({ pivotLeft: 2.5 })).toThrow();
  });
});

describe('the look-ahead check itself', () => {
  it('catches a strategy that peeks at the next bar', () => {
    const cheat: Strategy<Record<string, never>, CandleSeries> = {
      id: 'cheat',
      name: 'cheat',
      description: 'reads close[i+1]',
      params: z.object({}) as unknown as z.ZodMiniType<Record<string, never>>,
      prepare: (c) => c,
      signal: (c, i) =>
        i + 1 < c.length && c.close[i + 1] > c.close[i]
          ? { side: 'long', entry: c.close[i], stop: null, target: null, confidence: 1, reason: 'peek' }
          : null,
    };
    const c = market(N, 3);
    let caught = false;
    for (let seed = 1; seed < 20 && !caught; seed++) {
      const i = 100 + seed;
      caught =
        JSON.stringify(signalsUpTo(cheat as AnyStrategy, withNewTail(c, i, seed), {}, i)) !==
        JSON.stringify(signalsUpTo(cheat as AnyStrategy, c, {}, i));
    }
    expect(caught).toBe(true);
  });
});

describe('buyAndHold, exactly', () => {
  it('a long at the bar’s close on every bar: no stop, no target, full confidence', () => {
    const c = market(50, 4);
    const s = strategies.buyAndHold;
    const st = s.prepare(c, s.params.parse({}));
    for (let i = 0; i < c.length; i++) {
      expect(s.signal(st, i)).toEqual({
        side: 'long',
        entry: c.close[i],
        stop: null,
        target: null,
        confidence: 1,
        reason: 'buy and hold',
      });
    }
    expect(s.params.parse({})).toEqual({});
  });

  it('in a backtest: one trade, in at the first tradable open, out at the end — from any start', () => {
    const c = market(120, 9);
    for (const startIndex of [0, 10, 60]) {
      const r = runBacktest({ candles: c, strategy: strategies.buyAndHold, config: { startIndex } });
      expect(r.trades).toHaveLength(1);
      expect(r.trades[0]).toMatchObject({ side: 'long', entryIndex: startIndex + 1, exitReason: 'end' });
      expect(r.trades[0].entryPrice).toBe(c.open[startIndex + 1]);
      expect(r.metrics.exposure).toBeCloseTo((c.length - startIndex - 1) / (c.length - startIndex), 12);
    }
  });
});
