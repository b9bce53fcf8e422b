import { describe, expect, it } from 'vitest';
import {
  compileSpace,
  countSpace,
  mulberry32,
  optimize,
  optimizeAsync,
  planCandidates,
  rankResults,
  walkForward,
  walkForwardWindows,
  type Candidate,
  type ParamPoint,
  type ParamSpace,
} from '../src/optimiser/index.js';
import { smaCross } from '../src/strategies/sma-cross.js';
import type { CandleSeries } from '../src/strategies/types.js';

const grid2: ParamSpace = { x: { min: 0, max: 99, step: 1 }, y: { min: 0, max: 99, step: 1 } };
const bowl = (p: ParamPoint) => -(((p.x as number) - 37) ** 2) - ((p.y as number) - 61) ** 2;

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const rnd = mulberry32(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('parameter spaces', () => {
  it('counts lists × stepped ranges', () => {
    expect(countSpace({ a: { values: [1, 2, 3] }, b: { min: 0, max: 1, step: 0.25 } })).toBe(15);
    expect(
      countSpace({ mode: { values: ['x', 'y'] }, on: { values: [true, false] }, n: { min: 5, max: 5, step: 1 } }),
    ).toBe(4);
    expect(countSpace(grid2)).toBe(10_000);
  });

  it('materialises ranges without float noise', () => {
    const cs = compileSpace({ r: { min: 0.1, max: 0.5, step: 0.1 } });
    expect(cs.axes[0]).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it.each([
    ['step 0', { a: { min: 0, max: 1, step: 0 } }],
    ['negative step', { a: { min: 0, max: 1, step: -1 } }],
    ['min > max', { a: { min: 2, max: 1, step: 1 } }],
    ['not a whole number of steps', { a: { min: 0, max: 1, step: 0.3 } }],
    ['empty list', { a: { values: [] } }],
    ['duplicate values', { a: { values: [1, 1] } }],
    ['no parameters', {}],
    ['NaN bound', { a: { min: NaN, max: 1, step: 1 } }],
  ])('rejects %s', (_name, space) => {
    expect(() => countSpace(space as ParamSpace)).toThrow();
  });
});

describe('optimize', () => {
  it('grid evaluates every point exactly once', () => {
    const space: ParamSpace = { a: { values: [1, 2, 3] }, b: { min: 0, max: 1, step: 0.5 }, c: { values: ['u', 'v'] } };
    const seen: string[] = [];
    const r = optimize({
      space,
      method: 'grid',
      budget: 100,
      objective: (p) => (seen.push(JSON.stringify(p)), (p.a as number) + (p.b as number)),
    });
    expect(r.evaluations).toBe(18);
    expect(new Set(seen).size).toBe(18);
    const all = new Set<string>();
    for (const a of [1, 2, 3])
      for (const b of [0, 0.5, 1]) for (const c of ['u', 'v']) all.add(JSON.stringify({ a, b, c }));
    expect(new Set(seen)).toEqual(all);
    expect(r.best?.params).toMatchObject({ a: 3, b: 1 });
    expect(r.best?.params.c).toBe('u'); // tie on score → lower index wins
  });

  it('grid refuses a budget smaller than the space', () => {
    expect(() => optimize({ space: grid2, method: 'grid', budget: 100, objective: bowl })).toThrow(/budget/);
  });

  it.each(['random', 'guided'] as const)('%s is reproducible by seed, never repeats, respects the budget', (method) => {
    const run = (seed: number) => optimize({ space: grid2, method, budget: 200, seed, objective: bowl });
    const a = run(1);
    const b = run(1);
    const c = run(2);
    expect(a.results).toEqual(b.results);
    expect(a.results.map((r) => r.index)).not.toEqual(c.results.map((r) => r.index));
    expect(a.evaluations).toBe(200);
    expect(new Set(a.results.map((r) => r.index)).size).toBe(200);
  });

  it.each(['random', 'guided'] as const)(
    '%s with a budget above the space size evaluates the whole space once',
    (method) => {
      const r = optimize({
        space: { a: { min: 1, max: 7, step: 1 }, b: { values: [0, 1] } },
        method,
        budget: 50,
        seed: 3,
        objective: (p) => p.a as number,
      });
      expect(r.evaluations).toBe(14);
      expect(new Set(r.results.map((x) => x.index)).size).toBe(14);
    },
  );

  it('guided finds the optimum of a bowl at least as well as random, on average over seeds', () => {
    let guided = 0;
    let random = 0;
    let guidedExact = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const g = optimize({ space: grid2, method: 'guided', budget: 150, seed, objective: bowl });
      const r = optimize({ space: grid2, method: 'random', budget: 150, seed, objective: bowl });
      guided += g.best!.score;
      random += r.best!.score;
      if (g.best!.score === 0) guidedExact++;
    }
    expect(guided / 20).toBeGreaterThanOrEqual(random / 20);
    expect(guidedExact).toBeGreaterThanOrEqual(10);
  });

  it.each(['grid', 'random', 'guided'] as const)(
    '%s: shuffled (parallel-style) evaluation gives identical results',
    (method) => {
      const space: ParamSpace = { x: { min: 0, max: 19, step: 1 }, y: { min: 0, max: 19, step: 1 } };
      const base = optimize({ space, method, budget: 400, seed: 9, objective: bowl });
      let call = 0;
      const shuffled = optimize({
        space,
        method,
        budget: 400,
        seed: 9,
        objective: bowl,
        evaluate: (batch, objective) => {
          // evaluate in a random order, as workers finishing out of order would, then put scores back
          const order = shuffle(
            batch.map((_, k) => k),
            1000 + call++,
          );
          const scores = new Array<number>(batch.length);
          for (const k of order) scores[k] = objective(batch[k].params);
          return scores;
        },
      });
      expect(shuffled.results).toEqual(base.results);
    },
  );

  it('planCandidates does not depend on the order of the evaluated results', () => {
    const cs = compileSpace(grid2);
    const evaluated: { index: number; score: number }[] = [];
    let batch: Candidate[] = planCandidates({ space: cs, method: 'guided', budget: 100, seed: 4, evaluated });
    for (let round = 0; round < 5 && batch.length > 0; round++) {
      for (const c of batch) evaluated.push({ index: c.index, score: bowl(c.params) });
      batch = planCandidates({ space: cs, method: 'guided', budget: 100, seed: 4, evaluated });
      const again = planCandidates({
        space: cs,
        method: 'guided',
        budget: 100,
        seed: 4,
        evaluated: shuffle(evaluated, round),
      });
      expect(again).toEqual(batch);
    }
  });

  it('optimizeAsync gives the same ranking as optimize', async () => {
    const sync = optimize({ space: grid2, method: 'guided', budget: 60, seed: 5, objective: bowl });
    const async = await optimizeAsync({
      space: grid2,
      method: 'guided',
      budget: 60,
      seed: 5,
      evaluate: async (batch) => Promise.all(batch.map(async (c) => bowl(c.params))),
    });
    expect(async.results).toEqual(sync.results);
  });

  it('rankResults: score descending, NaN last, ties by index', () => {
    const ranked = rankResults([
      { index: 5, params: {}, score: 1 },
      { index: 2, params: {}, score: NaN },
      { index: 3, params: {}, score: 1 },
      { index: 9, params: {}, score: 4 },
    ]);
    expect(ranked.map((r) => [r.index, r.rank])).toEqual([
      [9, 1],
      [3, 2],
      [5, 3],
      [2, 4],
    ]);
  });
});

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
    const cl = o * (1 + (rnd() - 0.5) * 0.03 + 0.002 * Math.sin(i / 15));
    c.time[i] = i * 86_400_000;
    c.open[i] = o;
    c.close[i] = cl;
    c.high[i] = Math.max(o, cl) * (1 + rnd() * 0.005);
    c.low[i] = Math.min(o, cl) * (1 - rnd() * 0.005);
    c.volume[i] = 1000 + rnd() * 1000;
    p = cl;
  }
  return c;
}

describe('walk-forward', () => {
  it('rolling windows: IS then OOS, OOS windows contiguous and non-overlapping', () => {
    const w = walkForwardWindows(100, 30, 10);
    expect(w).toHaveLength(7);
    expect(w[0]).toEqual({ isStart: 0, isEnd: 30, oosStart: 30, oosEnd: 40 });
    for (let k = 0; k < w.length; k++) {
      expect(w[k].isEnd).toBe(w[k].oosStart);
      expect(w[k].isEnd - w[k].isStart).toBe(30);
      if (k > 0) expect(w[k].oosStart).toBe(w[k - 1].oosEnd);
    }
    expect(w[6].oosEnd).toBe(100);
    // a larger step leaves gaps, never overlaps; anchored windows all start at 0
    const gaps = walkForwardWindows(100, 30, 10, 15);
    for (let k = 1; k < gaps.length; k++) expect(gaps[k].oosStart).toBeGreaterThanOrEqual(gaps[k - 1].oosEnd);
    expect(walkForwardWindows(100, 30, 10, 10, true).every((x) => x.isStart === 0)).toBe(true);
    expect(() => walkForwardWindows(100, 30, 10, 5)).toThrow(/overlap/);
    expect(walkForwardWindows(39, 30, 10)).toEqual([]);
  });

  it('optimises in-sample, trades the best params out-of-sample, reports IS vs OOS', () => {
    const candles = walk(600, 21);
    const space: ParamSpace = { fast: { values: [3, 5, 8] }, slow: { values: [15, 20, 30] } };
    const opts = {
      candles,
      strategy: smaCross,
      space,
      inSample: 200,
      outOfSample: 100,
      method: 'grid' as const,
      budget: 9,
      seed: 1,
    };
    const r = walkForward(opts);
    expect(r.windows).toHaveLength(4);
    for (const w of r.windows) {
      expect([3, 5, 8]).toContain(w.params.fast);
      expect([15, 20, 30]).toContain(w.params.slow);
      expect(w.evaluations).toBe(9);
      // OOS trades live inside the OOS window (indices relative to the window's slice from isStart)
      for (const t of w.oosTrades) {
        expect(t.entryIndex).toBeGreaterThanOrEqual(w.oosStart - w.isStart);
        expect(t.exitIndex).toBeLessThan(w.oosEnd - w.isStart);
      }
    }
    expect(r.aggregate.equity).toHaveLength(400);
    expect(r.aggregate.tradeCount).toBe(r.windows.reduce((s, w) => s + w.oosTrades.length, 0));
    const chained = r.windows.reduce((acc, w) => acc * (1 + w.oosMetrics.totalReturn), 1) - 1;
    expect(r.aggregate.totalReturn).toBeCloseTo(chained, 9);
    expect(r.overfitting.sharpeDegradation).toBeCloseTo(r.overfitting.meanIsSharpe - r.overfitting.meanOosSharpe, 12);
    expect(typeof r.overfitting.likelyOverfit).toBe('boolean');
    // the report's figures, recomputed from the windows
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const o = r.overfitting;
    expect(o.meanIsSharpe).toBeCloseTo(mean(r.windows.map((w) => w.isMetrics.sharpe)), 12);
    expect(o.meanOosSharpe).toBeCloseTo(mean(r.windows.map((w) => w.oosMetrics.sharpe)), 12);
    expect(o.walkForwardEfficiency).toBeCloseTo(
      mean(r.windows.map((w) => w.oosMetrics.annualReturn)) / mean(r.windows.map((w) => w.isMetrics.annualReturn)),
      12,
    );
    expect(o.degradedWindows).toBe(r.windows.filter((w) => !(w.oosScore >= w.isScore)).length / r.windows.length);
    expect(o.likelyOverfit).toBe(o.walkForwardEfficiency < 0.5 || (o.meanIsSharpe > 0 && !(o.meanOosSharpe > 0)));
    expect(walkForward(opts)).toEqual(r);
  });

  describe('likelyOverfit: one window, in-sample waves the crossover rides, out-of-sample something else', () => {
    /** 300 bars: waves for the first 200 (in-sample), then `oos` (out-of-sample), with small noise. */
    function regime(oos: (i: number) => number, seed = 1): CandleSeries {
      const rnd = mulberry32(seed);
      const n = 300;
      const c = {
        time: new Float64Array(n),
        open: new Float64Array(n),
        high: new Float64Array(n),
        low: new Float64Array(n),
        close: new Float64Array(n),
        volume: new Float64Array(n).fill(1000),
        length: n,
      };
      let p = 100;
      for (let i = 0; i < n; i++) {
        const drift = i < 200 ? 0.006 * Math.sin(i / 12) : oos(i);
        const cl = p * (1 + (rnd() - 0.5) * 0.01 + drift);
        c.time[i] = i * 86_400_000;
        c.open[i] = p;
        c.close[i] = cl;
        c.high[i] = Math.max(p, cl) * 1.001;
        c.low[i] = Math.min(p, cl) * 0.999;
        p = cl;
      }
      return c;
    }
    const run = (candles: CandleSeries) =>
      walkForward({
        candles,
        strategy: smaCross,
        space: { fast: { values: [3, 5, 8] }, slow: { values: [15, 20, 30] } },
        inSample: 200,
        outOfSample: 100,
        method: 'grid',
        budget: 9,
        seed: 1,
      });

    it('the same waves out of sample: efficiency near 1, not overfit', () => {
      const r = run(regime((i) => 0.006 * Math.sin(i / 12)));
      expect(r.windows).toHaveLength(1);
      expect(r.overfitting.walkForwardEfficiency).toBeGreaterThan(0.9);
      expect(r.overfitting.meanOosSharpe).toBeGreaterThan(0);
      expect(r.overfitting.likelyOverfit).toBe(false);
      expect(r.overfitting.degradedWindows).toBe(0);
    });

    it('faster waves out of sample: worse (efficiency 0.5–1) but not overfit', () => {
      const o = run(regime((i) => 0.006 * Math.sin(i / 5))).overfitting;
      expect(o.walkForwardEfficiency).toBeGreaterThan(0.5);
      expect(o.walkForwardEfficiency).toBeLessThan(1);
      expect(o.sharpeDegradation).toBeGreaterThan(0);
      expect(o.likelyOverfit).toBe(false);
      expect(o.degradedWindows).toBe(1);
    });

    it('flatter waves out of sample: still profitable, but efficiency < 0.5 → overfit', () => {
      const o = run(regime((i) => 0.002 * Math.sin(i / 12))).overfitting;
      expect(o.meanOosSharpe).toBeGreaterThan(0); // the Sharpe clause alone would not say so
      expect(o.walkForwardEfficiency).toBeGreaterThan(0);
      expect(o.walkForwardEfficiency).toBeLessThan(0.5);
      expect(o.likelyOverfit).toBe(true);
    });

    // The efficiency threshold is 0.5 exactly: two regimes a little either side of it (0.49 and
    // 0.53), both with a positive out-of-sample Sharpe so only the efficiency clause decides.
    it('the threshold is an efficiency of 0.5: just under → overfit, just over → not', () => {
      const under = run(regime((i) => 0.003 * Math.sin(i / 12))).overfitting;
      const over = run(regime((i) => 0.0032 * Math.sin(i / 12))).overfitting;
      expect(under.walkForwardEfficiency).toBeGreaterThan(0.47);
      expect(under.walkForwardEfficiency).toBeLessThan(0.5);
      expect(over.walkForwardEfficiency).toBeGreaterThan(0.5);
      expect(over.walkForwardEfficiency).toBeLessThan(0.55);
      for (const o of [under, over]) expect(o.meanOosSharpe).toBeGreaterThan(0);
      expect(under.likelyOverfit).toBe(true);
      expect(over.likelyOverfit).toBe(false);
    });

    it('chop out of sample: it loses money (OOS Sharpe < 0) → overfit', () => {
      const o = run(regime((i) => 0.012 * Math.sin(i * 1.7))).overfitting;
      expect(o.meanIsSharpe).toBeGreaterThan(0);
      expect(o.meanOosSharpe).toBeLessThan(0);
      expect(o.likelyOverfit).toBe(true);
    });
  });

  it('a window where nothing trades (objective NaN everywhere) is still walked forward', () => {
    const base = walk(300, 4);
    const hundred = new Float64Array(300).fill(100);
    const flat: CandleSeries = { ...base, open: hundred, high: hundred, low: hundred, close: hundred };
    const r = walkForward({
      candles: flat,
      strategy: smaCross,
      space: { fast: { values: [40, 5] }, slow: { values: [20, 30] } },
      inSample: 150,
      outOfSample: 50,
      method: 'grid',
      budget: 4,
    });
    expect(r.windows).toHaveLength(3);
    for (const w of r.windows) {
      expect(w.isScore).toBeNaN();
      expect(w.params).toEqual({ fast: 5, slow: 20 }); // lowest-index point the schema accepts
      expect(w.oosTrades).toHaveLength(0);
    }
    expect(r.aggregate.totalReturn).toBe(0);
    expect(() =>
      walkForward({
        candles: flat,
        strategy: smaCross,
        space: { fast: { values: [40] }, slow: { values: [20] } },
        inSample: 150,
        outOfSample: 50,
        method: 'grid',
        budget: 1,
      }),
    ).toThrow(/no parameter combination/);
  });

  it('invalid combinations (fast ≥ slow) rank last instead of failing the run', () => {
    const candles = walk(300, 2);
    const r = walkForward({
      candles,
      strategy: smaCross,
      space: { fast: { values: [5, 40] }, slow: { values: [20, 30] } },
      inSample: 150,
      outOfSample: 50,
      method: 'grid',
      budget: 4,
    });
    for (const w of r.windows) expect(w.params.fast).toBe(5);
  });
});
