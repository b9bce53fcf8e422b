import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/optimiser/prng.js';
import * as fc from 'fast-check';
import { IndicatorsSync } from '@ixjb94/indicators';
import * as ti from 'technicalindicators';
import { DonchianChannels, RSI as TsRsi, SwingHigh, SwingLow } from 'trading-signals';
import {
  AtrStream,
  BollingerStream,
  DonchianStream,
  EmaStream,
  FIBONACCI_RATIOS,
  LinearRegressionStream,
  MacdStream,
  PivotStream,
  RsiStream,
  SmaStream,
  StdevStream,
  VwapStream,
  WmaStream,
  atr,
  bollinger,
  donchian,
  ema,
  fibonacciLevels,
  fitLine,
  linearRegression,
  macd,
  pivots,
  rsi,
  sma,
  stdev,
  trueRange,
  vwap,
  wma,
} from '../src/indicators/index.js';

// ---------------------------------------------------------------- helpers

const TOL = 1e-9;

/** |a-b| ≤ 1e-9·max(1,|b|), NaN only where the reference is NaN. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Number.isNaN(b)) {
      if (!Number.isNaN(a)) expect.fail(`${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (!(Math.abs(a - b) <= TOL * Math.max(1, Math.abs(b)))) expect.fail(`${what}[${i}]: ${a} vs ${b}`);
  }
}

/** Bit-for-bit equality (NaN equals NaN): streaming must reproduce batch exactly. */
function expectIdentical(actual: ArrayLike<number>, expected: ArrayLike<number>, what = ''): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}]: stream ${actual[i]} vs batch ${expected[i]}`);
  }
}

/** Compare our series with a peer that returns only the defined tail of the series. */
function expectTail(ours: ArrayLike<number>, peer: ArrayLike<number>, what: string): void {
  let defined = 0;
  for (let i = 0; i < ours.length; i++) if (!Number.isNaN(ours[i])) defined++;
  expect(defined, `${what}: number of defined values`).toBe(peer.length);
  const off = ours.length - peer.length;
  expectClose(
    Array.from(peer, (_, j) => ours[off + j]),
    peer,
    what,
  );
}

interface Ohlcv {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** A seeded random walk, the peers' test series. */
function walk(n: number, seed = 7): Ohlcv {
  const rnd = mulberry32(seed);
  const s: Ohlcv = { open: [], high: [], low: [], close: [], volume: [] };
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    const c = o * (1 + (rnd() - 0.5) * 0.02);
    s.open.push(o);
    s.close.push(c);
    s.high.push(Math.max(o, c) * (1 + rnd() * 0.005));
    s.low.push(Math.min(o, c) * (1 - rnd() * 0.005));
    s.volume.push(1000 + Math.floor(rnd() * 9000));
    p = c;
  }
  return s;
}

// Prices on a cent grid, as markets quote them: differences are never float dust, so ratios
// such as RSI's gain/(gain+loss) are compared on real moves, not on rounding noise of 1e-16.
const price = fc.integer({ min: 100, max: 100_000 }).map((cents) => cents / 100);
const series = fc.array(price, { maxLength: 80 });
const period = fc.integer({ min: 1, max: 20 });
const bars = fc
  .array(
    fc.record({
      o: price,
      c: price,
      up: fc.double({ min: 0, max: 50, noNaN: true }),
      down: fc.double({ min: 0, max: 50, noNaN: true }),
      v: fc.double({ min: 0, max: 1e6, noNaN: true }),
    }),
    { maxLength: 80 },
  )
  .map((rows) => ({
    open: rows.map((r) => r.o),
    high: rows.map((r) => Math.max(r.o, r.c) + r.up),
    low: rows.map((r) => Math.max(0.01, Math.min(r.o, r.c) - r.down)),
    close: rows.map((r) => r.c),
    volume: rows.map((r) => r.v),
  }));

function nanArray(n: number): number[] {
  return new Array<number>(n).fill(NaN);
}

// --------------------------------------------- naive reference implementations (O(n·period))

function refSma(v: number[], p: number): number[] {
  return v.map((_, i) => (i < p - 1 ? NaN : v.slice(i - p + 1, i + 1).reduce((a, b) => a + b, 0) / p));
}

function refEma(v: number[], p: number): number[] {
  const out = nanArray(v.length);
  if (v.length < p) return out;
  const alpha = 2 / (p + 1);
  let prev = v.slice(0, p).reduce((a, b) => a + b, 0) / p;
  out[p - 1] = prev;
  for (let i = p; i < v.length; i++) {
    prev = alpha * v[i] + (1 - alpha) * prev;
    out[i] = prev;
  }
  return out;
}

function refWma(v: number[], p: number): number[] {
  return v.map((_, i) => {
    if (i < p - 1) return NaN;
    let num = 0;
    let den = 0;
    for (let w = 1; w <= p; w++) {
      num += w * v[i - p + w];
      den += w;
    }
    return num / den;
  });
}

function wilder(x: number[], p: number, first: number): number[] {
  // x[first..first+p-1] seeds the mean; output index first+p-1 onwards
  const out = nanArray(x.length);
  if (x.length < first + p) return out;
  let avg = x.slice(first, first + p).reduce((a, b) => a + b, 0) / p;
  out[first + p - 1] = avg;
  for (let i = first + p; i < x.length; i++) {
    avg = (avg * (p - 1) + x[i]) / p; // TA-Lib's form; exact for p = 1
    out[i] = avg;
  }
  return out;
}

function refRsi(v: number[], p: number): number[] {
  const gains = v.map((x, i) => (i === 0 ? 0 : Math.max(x - v[i - 1], 0)));
  const losses = v.map((x, i) => (i === 0 ? 0 : Math.max(v[i - 1] - x, 0)));
  const g = wilder(gains, p, 1);
  const l = wilder(losses, p, 1);
  return g.map((gi, i) => {
    if (Number.isNaN(gi)) return NaN;
    if (gi === 0 && l[i] === 0) return 50;
    if (l[i] === 0) return 100;
    return 100 - 100 / (1 + gi / l[i]);
  });
}

function refTr(h: number[], l: number[], c: number[]): number[] {
  return h.map((hi, i) =>
    i === 0 ? hi - l[i] : Math.max(hi - l[i], Math.abs(hi - c[i - 1]), Math.abs(l[i] - c[i - 1])),
  );
}

function refAtr(h: number[], l: number[], c: number[], p: number): number[] {
  return wilder(refTr(h, l, c), p, 1);
}

function refStdev(v: number[], p: number): number[] {
  return v.map((_, i) => {
    if (i < p - 1) return NaN;
    const w = v.slice(i - p + 1, i + 1);
    const m = w.reduce((a, b) => a + b, 0) / p;
    return Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / p);
  });
}

function refVwap(o: Ohlcv, p?: number): number[] {
  return o.close.map((_, i) => {
    const from = p === undefined ? 0 : i - p + 1;
    if (from < 0) return NaN;
    let pv = 0;
    let vol = 0;
    for (let j = from; j <= i; j++) {
      pv += ((o.high[j] + o.low[j] + o.close[j]) / 3) * o.volume[j];
      vol += o.volume[j];
    }
    return vol === 0 ? NaN : pv / vol;
  });
}

function refPivots(h: number[], l: number[], left: number, right: number): { highs: number[]; lows: number[] } {
  const n = h.length;
  const highs = nanArray(n);
  const lows = nanArray(n);
  for (let i = left; i + right < n; i++) {
    const others = [...Array(left + right + 1).keys()].map((k) => i - left + k).filter((j) => j !== i);
    if (others.every((j) => h[j] < h[i])) highs[i] = h[i];
    if (others.every((j) => l[j] > l[i])) lows[i] = l[i];
  }
  return { highs, lows };
}

function refLinreg(v: number[], p: number): { value: number[]; slope: number[]; intercept: number[] } {
  const value = nanArray(v.length);
  const slope = nanArray(v.length);
  const intercept = nanArray(v.length);
  for (let i = p - 1; i < v.length; i++) {
    const y = v.slice(i - p + 1, i + 1);
    const mx = (p - 1) / 2;
    const my = y.reduce((a, b) => a + b, 0) / p;
    let sxy = 0;
    let sxx = 0;
    y.forEach((yy, x) => {
      sxy += (x - mx) * (yy - my);
      sxx += (x - mx) ** 2;
    });
    slope[i] = sxy / sxx;
    intercept[i] = my - slope[i] * mx;
    value[i] = intercept[i] + slope[i] * (p - 1);
  }
  return { value, slope, intercept };
}

function collect(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

const peerSeries = walk(1000);
const tulip = new IndicatorsSync();

// ---------------------------------------------------------------- tests

describe('argument checks', () => {
  it.each([0, -1, 1.5, NaN, Infinity])('rejects period %s with RangeError', (p) => {
    expect(() => sma([1, 2, 3], p)).toThrow(RangeError);
    expect(() => ema([1, 2, 3], p)).toThrow(RangeError);
    expect(() => rsi([1, 2, 3], p)).toThrow(RangeError);
    expect(() => atr([1], [1], [1], p)).toThrow(RangeError);
    expect(() => new EmaStream(p)).toThrow(RangeError);
    expect(() => new AtrStream(p)).toThrow(RangeError);
  });

  it('rejects an out buffer of the wrong length, and mismatched inputs', () => {
    expect(() => ema([1, 2, 3], 2, new Float64Array(2))).toThrow(RangeError);
    expect(() => atr([1, 2], [1], [1, 2], 1)).toThrow(RangeError);
    expect(() => macd([1, 2, 3], { fast: 26, slow: 12 })).toThrow(RangeError);
    expect(() => linearRegression([1, 2, 3], 1)).toThrow(RangeError);
    expect(() => bollinger([1, 2, 3], 2, -1)).toThrow(RangeError);
  });

  it('writes into and returns the caller’s buffer', () => {
    const v = [1, 2, 3, 4, 5];
    const out = new Float64Array(5);
    expect(ema(v, 3, out)).toBe(out);
    expect(sma(v, 3, out)).toBe(out);
    const m = { macd: new Float64Array(5), signal: new Float64Array(5), histogram: new Float64Array(5) };
    const r = macd(v, { fast: 2, slow: 3, signal: 2 }, m);
    expect(r.macd).toBe(m.macd);
    expect(r.signal).toBe(m.signal);
  });
});

describe('hand-computed values', () => {
  it('EMA(3) of 1..5 is seeded with the SMA at index 2', () => {
    expectIdentical(ema([1, 2, 3, 4, 5], 3), [NaN, NaN, 2, 3, 4]);
  });

  it('the MACD line is exactly ema(fast) − ema(slow), bit for bit', () => {
    const v = walk(300).close;
    const m = macd(v, { fast: 12, slow: 26, signal: 9 });
    const f = ema(v, 12);
    const s = ema(v, 26);
    expectIdentical(
      m.macd,
      Array.from(f, (x, i) => (i < 25 ? NaN : x - s[i])),
    );
    expect(m.signal.findIndex((x) => !Number.isNaN(x))).toBe(25 + 8);
  });

  it('RSI(2): first value at index period; flat input gives 50, only gains give 100', () => {
    expectClose(rsi([1, 2, 1, 1], 2), [NaN, NaN, 50, 50]);
    expectClose(rsi([5, 5, 5], 2), [NaN, NaN, 50]);
    expectClose(rsi([1, 2, 3, 4], 2), [NaN, NaN, 100, 100]);
  });

  it('ATR(2): TR[0] unused, first value at index 2 = mean(TR[1], TR[2])', () => {
    // TR: [2, max(1, |3-1|, |2-1|)=2, max(2, |5-2|, |3-2|)=3, 1]
    const h = [3, 3, 5, 4];
    const l = [1, 2, 3, 3];
    const c = [1, 2, 4, 3.5];
    expectClose(trueRange(h, l, c), [2, 2, 3, 1]);
    expectClose(atr(h, l, c, 2), [NaN, NaN, 2.5, (2.5 * 1 + 1) / 2]);
  });

  it('pivots: strict on both sides, flat tops are not pivots', () => {
    const h = [1, 3, 2, 5, 5, 1, 2];
    const l = [2, 1, 3, 4, 0.5, 3, 4];
    const p = pivots(h, l, 1, 1);
    expectIdentical(p.highs, [NaN, 3, NaN, NaN, NaN, NaN, NaN]);
    expectIdentical(p.lows, [NaN, 1, NaN, NaN, 0.5, NaN, NaN]);
  });

  it('fibonacci levels retrace from `to` back toward `from`', () => {
    const lv = fibonacciLevels(100, 200);
    expect(lv.map((x) => x.ratio)).toEqual(FIBONACCI_RATIOS);
    const at = (r: number) => lv.find((x) => x.ratio === r)?.price;
    expect(at(0)).toBe(200);
    expect(at(0.5)).toBe(150);
    expect(at(0.618)).toBeCloseTo(138.2, 12);
    expect(at(1)).toBe(100);
    expect(fibonacciLevels(200, 100, [0.382])[0].price).toBeCloseTo(138.2, 12);
    expect(() => fibonacciLevels(NaN, 1)).toThrow(RangeError);
  });

  it('fitLine recovers an exact line and reports r² = 1', () => {
    const f = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(f.slope).toBeCloseTo(2, 14);
    expect(f.intercept).toBeCloseTo(1, 14);
    expect(f.r2).toBeCloseTo(1, 14);
    expect(() => fitLine([1, 1], [1, 2])).toThrow(RangeError);
  });

  it('linearRegression of a straight line returns the line itself', () => {
    const v = [2, 4, 6, 8, 10];
    const r = linearRegression(v, 3);
    expectClose(r.slope, [NaN, NaN, 2, 2, 2]);
    expectClose(r.value, [NaN, NaN, 6, 8, 10]);
    expectClose(r.intercept, [NaN, NaN, 2, 4, 6]);
  });
});

describe('equal to a naive reference (property)', () => {
  it('sma, ema, wma, rsi, stdev', () => {
    fc.assert(
      fc.property(series, period, (v, p) => {
        expectClose(sma(v, p), refSma(v, p), 'sma');
        expectClose(ema(v, p), refEma(v, p), 'ema');
        expectClose(wma(v, p), refWma(v, p), 'wma');
        expectClose(rsi(v, p), refRsi(v, p), 'rsi');
        expectClose(stdev(v, p), refStdev(v, p), 'stdev');
      }),
    );
  });

  it('atr, trueRange, donchian, vwap, pivots', () => {
    fc.assert(
      fc.property(bars, period, fc.integer({ min: 1, max: 4 }), (o, p, right) => {
        expectClose(trueRange(o.high, o.low, o.close), refTr(o.high, o.low, o.close), 'tr');
        expectClose(atr(o.high, o.low, o.close, p), refAtr(o.high, o.low, o.close, p), 'atr');
        const d = donchian(o.high, o.low, p);
        const up = o.high.map((_, i) => (i < p - 1 ? NaN : Math.max(...o.high.slice(i - p + 1, i + 1))));
        const lo = o.low.map((_, i) => (i < p - 1 ? NaN : Math.min(...o.low.slice(i - p + 1, i + 1))));
        expectClose(d.upper, up, 'donchian.upper');
        expectClose(d.lower, lo, 'donchian.lower');
        expectClose(
          d.middle,
          up.map((u, i) => (u + lo[i]) / 2),
          'donchian.middle',
        );
        expectClose(vwap(o.high, o.low, o.close, o.volume), refVwap(o), 'vwap');
        expectClose(vwap(o.high, o.low, o.close, o.volume, p), refVwap(o, p), 'vwap(p)');
        const left = Math.min(p, 5);
        const pv = pivots(o.high, o.low, left, right);
        const rp = refPivots(o.high, o.low, left, right);
        expectIdentical(pv.highs, rp.highs, 'pivots.highs');
        expectIdentical(pv.lows, rp.lows, 'pivots.lows');
      }),
    );
  });

  it('macd, bollinger, linearRegression', () => {
    fc.assert(
      fc.property(
        series,
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        (v, fast, extra, sig) => {
          const slow = fast + extra;
          const m = macd(v, { fast, slow, signal: sig });
          const line = refEma(v, fast).map((f, i) => (i < slow - 1 ? NaN : f - refEma(v, slow)[i]));
          const defined = line.slice(slow - 1);
          const signal = [...nanArray(Math.min(slow - 1, v.length)), ...refEma(defined, sig)];
          expectClose(m.macd, line, 'macd');
          expectClose(m.signal, signal, 'signal');
          expectClose(
            m.histogram,
            line.map((x, i) => x - signal[i]),
            'histogram',
          );
          const p = fast + 1;
          const b = bollinger(v, p, 2);
          const mid = refSma(v, p);
          const sd = refStdev(v, p);
          expectClose(b.middle, mid, 'bb.middle');
          expectClose(
            b.upper,
            mid.map((x, i) => x + 2 * sd[i]),
            'bb.upper',
          );
          expectClose(
            b.lower,
            mid.map((x, i) => x - 2 * sd[i]),
            'bb.lower',
          );
          const lr = linearRegression(v, p);
          const rl = refLinreg(v, p);
          expectClose(lr.value, rl.value, 'linreg.value');
          expectClose(lr.slope, rl.slope, 'linreg.slope');
          expectClose(lr.intercept, rl.intercept, 'linreg.intercept');
        },
      ),
    );
  });
});

describe('streaming equals batch exactly (property)', () => {
  it('single-input indicators', () => {
    fc.assert(
      fc.property(series, period, (v, p) => {
        const n = v.length;
        const s1 = new SmaStream(p);
        const s2 = new EmaStream(p);
        const s3 = new WmaStream(p);
        const s4 = new RsiStream(p);
        const s5 = new StdevStream(p);
        expectIdentical(
          collect(n, (i) => s1.next(v[i])),
          sma(v, p),
          'sma',
        );
        expectIdentical(
          collect(n, (i) => s2.next(v[i])),
          ema(v, p),
          'ema',
        );
        expectIdentical(
          collect(n, (i) => s3.next(v[i])),
          wma(v, p),
          'wma',
        );
        expectIdentical(
          collect(n, (i) => s4.next(v[i])),
          rsi(v, p),
          'rsi',
        );
        expectIdentical(
          collect(n, (i) => s5.next(v[i])),
          stdev(v, p),
          'stdev',
        );
        const bb = bollinger(v, p, 1.5);
        const sb = new BollingerStream(p, 1.5);
        const mids = collect(n, (i) => sb.next(v[i]));
        expectIdentical(mids, bb.middle, 'bb.middle');
        const sb2 = new BollingerStream(p, 1.5);
        expectIdentical(
          collect(n, (i) => (sb2.next(v[i]), Number.isNaN(bb.upper[i]) ? NaN : sb2.upper)),
          bb.upper,
          'bb.upper',
        );
        if (p >= 2) {
          const lr = linearRegression(v, p);
          const sl = new LinearRegressionStream(p);
          const vals: number[] = [];
          const slopes: number[] = [];
          for (let i = 0; i < n; i++) {
            vals.push(sl.next(v[i]));
            slopes.push(Number.isNaN(lr.slope[i]) ? NaN : sl.slope);
          }
          expectIdentical(vals, lr.value, 'linreg.value');
          expectIdentical(slopes, lr.slope, 'linreg.slope');
        }
      }),
    );
  });

  it('macd', () => {
    fc.assert(
      fc.property(
        series,
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        (v, fast, extra, sig) => {
          const opts = { fast, slow: fast + extra, signal: sig };
          const m = macd(v, opts);
          const s = new MacdStream(opts);
          const line: number[] = [];
          const signal: number[] = [];
          const hist: number[] = [];
          for (let i = 0; i < v.length; i++) {
            line.push(s.next(v[i]));
            signal.push(s.signal);
            hist.push(s.histogram);
          }
          expectIdentical(line, m.macd, 'macd');
          expectIdentical(signal, m.signal, 'signal');
          expectIdentical(hist, m.histogram, 'histogram');
        },
      ),
    );
  });

  it('multi-input indicators', () => {
    fc.assert(
      fc.property(bars, period, fc.integer({ min: 1, max: 4 }), (o, p, right) => {
        const n = o.close.length;
        const sa = new AtrStream(p);
        expectIdentical(
          collect(n, (i) => sa.next(o.high[i], o.low[i], o.close[i])),
          atr(o.high, o.low, o.close, p),
          'atr',
        );
        const d = donchian(o.high, o.low, p);
        const sd = new DonchianStream(p);
        const ups: number[] = [];
        const mids: number[] = [];
        for (let i = 0; i < n; i++) {
          mids.push(sd.next(o.high[i], o.low[i]));
          ups.push(Number.isNaN(mids[i]) ? NaN : sd.upper);
        }
        expectIdentical(mids, d.middle, 'donchian.middle');
        expectIdentical(ups, d.upper, 'donchian.upper');
        const sv = new VwapStream();
        expectIdentical(
          collect(n, (i) => sv.next(o.high[i], o.low[i], o.close[i], o.volume[i])),
          vwap(o.high, o.low, o.close, o.volume),
          'vwap',
        );
        const svp = new VwapStream(p);
        expectIdentical(
          collect(n, (i) => svp.next(o.high[i], o.low[i], o.close[i], o.volume[i])),
          vwap(o.high, o.low, o.close, o.volume, p),
          'vwap(p)',
        );
        const pv = pivots(o.high, o.low, p, right);
        const sp = new PivotStream(p, right);
        const highs = nanArray(n);
        const lows = nanArray(n);
        for (let i = 0; i < n; i++) {
          sp.next(o.high[i], o.low[i]);
          expect(sp.index).toBe(i - right);
          if (sp.index >= 0) {
            highs[sp.index] = sp.swingHigh;
            lows[sp.index] = sp.swingLow;
          }
        }
        expectIdentical(highs, pv.highs, 'pivots.highs');
        expectIdentical(lows, pv.lows, 'pivots.lows');
      }),
    );
  });
});

describe('equal to independent npm peers after warm-up (1e-9)', () => {
  const { high, low, close, volume } = peerSeries;

  it('SMA and WMA: technicalindicators and @ixjb94/indicators', () => {
    expectTail(sma(close, 20), ti.SMA.calculate({ period: 20, values: close }), 'sma vs technicalindicators');
    expectTail(sma(close, 20), tulip.sma(close, 20), 'sma vs @ixjb94');
    expectTail(wma(close, 20), tulip.wma(close, 20), 'wma vs @ixjb94');
    expectTail(wma(close, 20), ti.WMA.calculate({ period: 20, values: close }), 'wma vs technicalindicators');
  });

  it('EMA: technicalindicators (SMA-seeded like TA-Lib)', () => {
    expectTail(ema(close, 20), ti.EMA.calculate({ period: 20, values: close }), 'ema');
    // @ixjb94 (tulip) and trading-signals seed with the first value instead; once the seed
    // has decayed (k^n ~ 0) all three agree.
    const tul = tulip.ema(close, 20);
    const ours = ema(close, 20);
    for (let i = 900; i < 1000; i++) expect(Math.abs(ours[i] - tul[i])).toBeLessThan(1e-9);
  });

  it('RSI: @ixjb94/indicators and trading-signals (Wilder, first value at index period)', () => {
    const ours = rsi(close, 14);
    expectTail(ours, tulip.rsi(close, 14), 'rsi vs @ixjb94');
    const ts = new TsRsi(14);
    const tsOut = close.map((c) => ts.add(c) ?? NaN);
    expectClose(ours, tsOut, 'rsi vs trading-signals');
  });

  it('ATR: technicalindicators (TR from bar 1, first value at index period)', () => {
    expectTail(atr(high, low, close, 14), ti.ATR.calculate({ period: 14, high, low, close }), 'atr');
  });

  it('MACD: technicalindicators with EMA oscillator and signal', () => {
    const ours = macd(close, { fast: 12, slow: 26, signal: 9 });
    const peer = ti.MACD.calculate({
      values: close,
      fastPeriod: 12,
      slowPeriod: 26,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    expectTail(
      ours.macd,
      peer.map((r) => r.MACD ?? NaN),
      'macd',
    );
    const sig = peer.filter((r) => r.signal !== undefined);
    expectTail(
      ours.signal,
      sig.map((r) => r.signal ?? NaN),
      'signal',
    );
    expectTail(
      ours.histogram,
      sig.map((r) => r.histogram ?? NaN),
      'histogram',
    );
  });

  it('Bollinger and stdev: technicalindicators and @ixjb94/indicators (population σ)', () => {
    const ours = bollinger(close, 20, 2);
    const peer = ti.BollingerBands.calculate({ period: 20, values: close, stdDev: 2 });
    expectTail(
      ours.middle,
      peer.map((r) => r.middle),
      'bb.middle',
    );
    expectTail(
      ours.upper,
      peer.map((r) => r.upper),
      'bb.upper',
    );
    expectTail(
      ours.lower,
      peer.map((r) => r.lower),
      'bb.lower',
    );
    const [lower, middle, upper] = tulip.bbands(close, 20, 2);
    expectTail(ours.lower, lower, 'bb.lower vs @ixjb94');
    expectTail(ours.middle, middle, 'bb.middle vs @ixjb94');
    expectTail(ours.upper, upper, 'bb.upper vs @ixjb94');
    expectTail(stdev(close, 20), tulip.stddev(close, 20), 'stdev vs @ixjb94');
  });

  it('Donchian: @ixjb94/indicators and trading-signals', () => {
    const ours = donchian(high, low, 20);
    const [upper, middle, lower] = tulip.dc(high, low, 20);
    expectTail(ours.upper, upper, 'dc.upper');
    expectTail(ours.middle, middle, 'dc.middle');
    expectTail(ours.lower, lower, 'dc.lower');
    const dc = new DonchianChannels(20);
    const tsUpper = high.map((h, i) => dc.add({ high: h, low: low[i] })?.upper ?? NaN);
    expectClose(ours.upper, tsUpper, 'dc.upper vs trading-signals');
  });

  it('VWAP: technicalindicators (cumulative) and @ixjb94/indicators (rolling)', () => {
    expectTail(vwap(high, low, close, volume), ti.VWAP.calculate({ high, low, close, volume }), 'vwap');
    expectTail(vwap(high, low, close, volume, 20), tulip.vwap(high, low, close, volume, 20), 'vwap(20)');
  });

  it('pivots: trading-signals SwingHigh/SwingLow (strict, symmetric lookback)', () => {
    const ours = pivots(high, low, 3, 3);
    const sh = new SwingHigh({ lookback: 3 });
    const sl = new SwingLow({ lookback: 3 });
    const highs = nanArray(high.length);
    const lows = nanArray(high.length);
    for (let i = 0; i < high.length; i++) {
      const candle = { high: high[i], low: low[i], close: close[i] };
      const h = sh.add(candle);
      const l = sl.add(candle);
      if (h !== null) highs[i - 3] = h;
      if (l !== null) lows[i - 3] = l;
    }
    expectIdentical(ours.highs, highs, 'swing highs');
    expectIdentical(ours.lows, lows, 'swing lows');
    expect(highs.filter((x) => !Number.isNaN(x)).length).toBeGreaterThan(50);
  });

  it('linear regression: @ixjb94/indicators linreg / linregslope / linregintercept', () => {
    const ours = linearRegression(close, 14);
    expectTail(ours.value, tulip.linreg(close, 14), 'linreg');
    expectTail(ours.slope, tulip.linregslope(close, 14), 'linregslope');
    expectTail(ours.intercept, tulip.linregintercept(close, 14), 'linregintercept');
  });
});
