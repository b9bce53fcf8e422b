import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/optimiser/prng.js';
import * as z from 'zod/mini';
import { runBacktest, BacktestConfigSchema, type BacktestConfigInput, type Trade } from '../src/backtest/index.js';
import { buyAndHold } from '../src/strategies/buy-and-hold.js';
import { smaCross } from '../src/strategies/sma-cross.js';
import type { CandleSeries, Signal, Strategy } from '../src/strategies/types.js';
import * as metricFns from '../src/metrics/index.js';

const DAY = 86_400_000;

/** Candles from [open, high, low, close] rows. */
function bars(rows: [number, number, number, number][]): CandleSeries {
  const n = rows.length;
  const c = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n).fill(1000),
    length: n,
  };
  rows.forEach(([o, h, l, cl], i) => {
    c.time[i] = i * DAY;
    c.open[i] = o;
    c.high[i] = h;
    c.low[i] = l;
    c.close[i] = cl;
  });
  return c;
}

type Script = Record<number, Partial<Signal> & { side: Signal['side'] }>;

/** A strategy that emits the given signals at the given bars. */
function scripted(script: Script): Strategy<Record<string, never>, Script> {
  return {
    id: 'scripted',
    name: 'scripted',
    description: 'test',
    params: z.object({}) as unknown as z.ZodMiniType<Record<string, never>>,
    prepare: () => script,
    signal: (s, i) =>
      s[i] ? { entry: 0, stop: null, target: null, confidence: 1, reason: `bar ${i}`, ...s[i] } : null,
  };
}

function randomCandles(n: number, seed: number): CandleSeries {
  const rnd = mulberry32(seed);
  const rows: [number, number, number, number][] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p;
    const c = o * (1 + (rnd() - 0.5) * 0.04);
    rows.push([o, Math.max(o, c) * (1 + rnd() * 0.01), Math.min(o, c) * (1 - rnd() * 0.01), c]);
    p = c * (1 + (rnd() - 0.5) * 0.01);
  }
  return bars(rows);
}

// open 100 → 100 → 105 → 110 → 110; quiet ranges so no level is touched unless a test says so
const FLAT: [number, number, number, number][] = [
  [100, 100.5, 99.5, 100],
  [100, 100.5, 99.5, 100],
  [105, 105.5, 104.5, 105],
  [110, 110.5, 109.5, 110],
  [110, 110.5, 109.5, 110],
];
const half: BacktestConfigInput = { sizing: { mode: 'percent', percent: 0.5 }, quantityStep: 1, onOpposite: 'close' };
// long at bar 0 (fills at open[1] = 100), closed by the short signal at bar 2 (fills at open[3] = 110)
const longThenClose = scripted({ 0: { side: 'long' }, 2: { side: 'short' } });

describe('runBacktest: fills and costs', () => {
  it('buy and hold: final equity = shares × last close + cash − costs, to 1e-9', () => {
    const c = randomCandles(300, 7);
    const commission = { perShare: 0.01, rate: 0.001, fixed: 1, minimum: 0 };
    const r = runBacktest({
      candles: c,
      strategy: buyAndHold,
      config: { commission, slippageBps: 5, quantityStep: 1 },
    });
    const n = c.length;
    const p = c.open[1] * 1.0005;
    const q = Math.floor((10_000 - 1) / (p + 0.01 + 0.001 * p));
    const entryFee = 1 + 0.01 * q + 0.001 * q * p;
    const cash = 10_000 - q * p - entryFee;
    const last = c.close[n - 1];
    const exitPrice = last * (1 - 0.0005);
    const exitFee = 1 + 0.01 * q + 0.001 * q * exitPrice;
    const costs = q * (last - exitPrice) + exitFee;
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].quantity).toBe(q);
    expect(r.trades[0].entryIndex).toBe(1);
    expect(r.trades[0].exitReason).toBe('end');
    expect(Math.abs(r.equity[n - 1] - (q * last + cash - costs))).toBeLessThan(1e-9);
    expect(Math.abs(r.equity[n - 2] - (q * c.close[n - 2] + cash))).toBeLessThan(1e-9);
    expect(r.equity[0]).toBe(10_000);
    expect(r.trades[0].commission).toBeCloseTo(entryFee + exitFee, 9);
    expect(r.metrics.finalEquity).toBe(Math.round(r.equity[n - 1] * 100) / 100);
    expect(r.money.finalEquity).toBe((Math.round(r.equity[n - 1] * 100) / 100).toFixed(2));
    expect(r.metrics.totalReturn).toBeCloseTo(r.equity[n - 1] / 10_000 - 1, 12);
  });

  it.each([
    ['no commission', {}, 50, 500],
    ['per share 0.01', { perShare: 0.01 }, 49, 49 * 10 - 2 * 0.49],
    ['0.1% of notional', { rate: 0.001 }, 49, 490 - 4.9 - 5.39],
    ['fixed 5 per order', { fixed: 5 }, 49, 490 - 10],
    ['minimum 2 over 0.01%', { rate: 0.0001, minimum: 2 }, 49, 490 - 4],
    ['combined', { perShare: 0.005, rate: 0.0005, fixed: 1 }, 49, 490 - (1 + 0.245 + 2.45) - (1 + 0.245 + 2.695)],
  ])('commission model: %s', (_name, commission, qty, pnl) => {
    const r = runBacktest({ candles: bars(FLAT), strategy: longThenClose, config: { ...half, commission } });
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t.quantity).toBe(qty);
    expect(t.entryPrice).toBe(100);
    expect(t.exitPrice).toBe(110);
    expect(t.exitReason).toBe('signal');
    expect(t.pnl).toBeCloseTo(pnl, 9);
    expect(r.equity[4]).toBeCloseTo(10_000 + pnl, 9);
  });

  it('slippage in bps moves both fills against the trader', () => {
    const r = runBacktest({ candles: bars(FLAT), strategy: longThenClose, config: { ...half, slippageBps: 10 } });
    const t = r.trades[0];
    expect(t.entryPrice).toBeCloseTo(100.1, 12);
    expect(t.exitPrice).toBeCloseTo(109.89, 12);
    expect(t.quantity).toBe(49); // floor(5000 / 100.1)
    expect(t.pnl).toBeCloseTo(49 * (109.89 - 100.1), 9);
    expect(t.slippage).toBeCloseTo(49 * 0.1 + 49 * 0.11, 9);
    expect(r.metrics.totalSlippage).toBe(10.29);
  });

  it('short P&L: sold at 100, bought back at 110', () => {
    const s = scripted({ 0: { side: 'short' }, 2: { side: 'long' } });
    const r = runBacktest({ candles: bars(FLAT), strategy: s, config: half });
    const t = r.trades[0];
    expect(t.side).toBe('short');
    expect(t.quantity).toBe(50);
    expect(t.pnl).toBe(-500);
    // short proceeds sit in cash; equity marks the liability at the close
    expect(r.equity[2]).toBe(15_000 - 50 * 105);
    expect(r.equity[4]).toBe(9_500);
  });
});

describe('runBacktest: stops and targets', () => {
  const rows = (bar2: [number, number, number, number]) => bars([FLAT[0], FLAT[1], bar2, FLAT[3], FLAT[4]]);

  it('stop first when one bar touches both stop and target', () => {
    const s = scripted({ 0: { side: 'long', stop: 95, target: 106 } });
    const r = runBacktest({ candles: rows([100, 107, 94, 100]), strategy: s, config: half });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ exitReason: 'stop', exitIndex: 2, exitPrice: 95, pnl: -250 });
  });

  it('target when only the target is touched', () => {
    const s = scripted({ 0: { side: 'long', stop: 95, target: 106 } });
    const r = runBacktest({ candles: rows([100, 107, 99, 100]), strategy: s, config: half });
    expect(r.trades[0]).toMatchObject({ exitReason: 'target', exitIndex: 2, exitPrice: 106, pnl: 300 });
  });

  it('a bar opening through the stop fills at the open (gap), with slippage', () => {
    const s = scripted({ 0: { side: 'long', stop: 95, target: 120 } });
    const r = runBacktest({ candles: rows([90, 91, 88, 90]), strategy: s, config: half });
    expect(r.trades[0]).toMatchObject({ exitReason: 'stop', exitIndex: 2, exitPrice: 90, pnl: -500 });
    const slipped = runBacktest({
      candles: rows([90, 91, 88, 90]),
      strategy: s,
      config: { ...half, slippageBps: 100 },
    });
    expect(slipped.trades[0].exitPrice).toBeCloseTo(89.1, 12);
  });

  it('a bar opening through the target fills at the (better) open', () => {
    const s = scripted({ 0: { side: 'long', stop: 95, target: 106 } });
    const r = runBacktest({ candles: rows([108, 109, 107, 108]), strategy: s, config: half });
    expect(r.trades[0]).toMatchObject({ exitReason: 'target', exitPrice: 108, pnl: 400 });
  });

  it('short stop above, short target below, stop first', () => {
    const s = scripted({ 0: { side: 'short', stop: 104, target: 95 } });
    const r = runBacktest({ candles: rows([100, 106, 94, 100]), strategy: s, config: half });
    expect(r.trades[0]).toMatchObject({ side: 'short', exitReason: 'stop', exitPrice: 104, pnl: -200 });
    const t = runBacktest({ candles: rows([100, 101, 94, 100]), strategy: s, config: half });
    expect(t.trades[0]).toMatchObject({ side: 'short', exitReason: 'target', exitPrice: 95, pnl: 250 });
  });

  it('the entry bar is checked too: its range trades after the opening fill', () => {
    const s = scripted({ 0: { side: 'long', stop: 99, target: 120 } });
    const r = runBacktest({
      candles: bars([FLAT[0], [100, 100.5, 98, 99.5], ...FLAT.slice(2)]),
      strategy: s,
      config: half,
    });
    expect(r.trades[0]).toMatchObject({ entryIndex: 1, exitIndex: 1, exitReason: 'stop', exitPrice: 99, barsHeld: 0 });
  });

  it('a bracket already crossed at the fill open is skipped', () => {
    const s = scripted({ 0: { side: 'long', stop: 101, target: 120 } });
    const r = runBacktest({ candles: bars(FLAT), strategy: s, config: half });
    expect(r.trades).toHaveLength(0);
    expect(r.skippedSignals).toBe(1);
    expect(r.metrics.finalEquity).toBe(10_000);
  });
});

describe('runBacktest: sizing, lifecycle, config', () => {
  it('risk sizing: qty = equity × risk% / |entry − stop|', () => {
    const s = scripted({ 0: { side: 'long', stop: 98 } });
    const r = runBacktest({
      candles: bars([FLAT[0], FLAT[1], [100, 100.5, 97, 99], FLAT[3], FLAT[4]]),
      strategy: s,
      config: { sizing: { mode: 'risk', riskPercent: 0.01 } },
    });
    expect(r.trades[0].quantity).toBe(50);
    expect(r.trades[0].pnl).toBe(-100); // exactly 1% of equity lost at the stop
  });

  it('risk sizing is capped by maxPercent of equity', () => {
    const s = scripted({ 0: { side: 'long', stop: 99.9 } });
    const r = runBacktest({
      candles: bars(FLAT),
      strategy: s,
      config: { sizing: { mode: 'risk', riskPercent: 0.01, maxPercent: 1 } },
    });
    expect(r.trades[0].quantity).toBeCloseTo(100, 9);
  });

  it('risk sizing skips signals without a stop', () => {
    const r = runBacktest({
      candles: bars(FLAT),
      strategy: scripted({ 0: { side: 'long' } }),
      config: { sizing: { mode: 'risk' } },
    });
    expect(r.trades).toHaveLength(0);
    expect(r.skippedSignals).toBe(1);
  });

  it('an open position is closed at the last close', () => {
    const r = runBacktest({ candles: bars(FLAT), strategy: scripted({ 1: { side: 'long' } }), config: half });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({
      entryIndex: 2,
      entryPrice: 105,
      exitIndex: 4,
      exitPrice: 110,
      exitReason: 'end',
    });
    expect(r.trades[0].quantity).toBe(47);
    expect(r.equity[4]).toBe(10_000 + 47 * 5);
  });

  it('no signal, no trade: flat equity and zero drawdown', () => {
    const r = runBacktest({ candles: randomCandles(50, 3), strategy: scripted({}) });
    expect(r.trades).toHaveLength(0);
    expect([...r.equity].every((e) => e === 10_000)).toBe(true);
    expect([...r.drawdown].every((d) => d === 0)).toBe(true);
    expect(r.metrics.tradeCount).toBe(0);
    expect(r.metrics.totalReturn).toBe(0);
    expect(r.money.expectancy).toBeNull();
  });

  it('one position at a time: same-side signals are ignored, opposite ones reverse by default', () => {
    const s = scripted({ 0: { side: 'long' }, 1: { side: 'long' }, 2: { side: 'short' } });
    const r = runBacktest({
      candles: bars(FLAT),
      strategy: s,
      config: { sizing: { mode: 'percent', percent: 0.5 }, quantityStep: 1 },
    });
    expect(r.trades.map((t) => [t.side, t.entryIndex, t.exitIndex, t.exitReason])).toEqual([
      ['long', 1, 3, 'signal'],
      ['short', 3, 4, 'end'],
    ]);
    // the reversal is sized on equity after closing the long (10 500 × 0.5 / 110)
    expect(r.trades[1].quantity).toBe(47);
  });

  it('allowShort: false turns a short signal into an exit only', () => {
    const s = scripted({ 0: { side: 'long' }, 2: { side: 'short' }, 3: { side: 'short' } });
    const r = runBacktest({
      candles: bars(FLAT),
      strategy: s,
      config: { ...half, onOpposite: 'reverse', allowShort: false },
    });
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].exitReason).toBe('signal');
  });

  it('onOpposite: ignore keeps the position until the end', () => {
    const r = runBacktest({ candles: bars(FLAT), strategy: longThenClose, config: { ...half, onOpposite: 'ignore' } });
    expect(r.trades[0].exitReason).toBe('end');
  });

  it('startIndex: warm-up bars are not traded and not measured', () => {
    const r = runBacktest({ candles: bars(FLAT), strategy: buyAndHold, config: { ...half, startIndex: 2 } });
    expect(r.trades[0].entryIndex).toBe(3);
    expect(r.equity[0]).toBe(10_000);
    expect(r.equity[1]).toBe(10_000);
  });

  it('drawdown is equity over its running peak, minus one', () => {
    const r = runBacktest({ candles: randomCandles(200, 11), strategy: buyAndHold });
    let peak = 10_000;
    for (let i = 0; i < r.equity.length; i++) {
      peak = Math.max(peak, r.equity[i]);
      expect(r.drawdown[i]).toBeCloseTo(r.equity[i] / peak - 1, 12);
    }
    expect(r.metrics.maxDrawdown).toBeCloseTo(Math.min(...r.drawdown), 9);
  });

  it('config is validated by zod and defaults are filled', () => {
    expect(() => BacktestConfigSchema.parse({ slippageBps: -1 })).toThrow();
    expect(() => BacktestConfigSchema.parse({ currency: 'XXX' })).toThrow();
    expect(() => BacktestConfigSchema.parse({ sizing: { mode: 'risk', riskPercent: 2 } })).toThrow();
    expect(() => BacktestConfigSchema.parse({ commission: { rate: -0.1 } })).toThrow();
    const d = BacktestConfigSchema.parse({});
    expect(d).toMatchObject({
      initialCapital: 10_000,
      currency: 'USD',
      slippageBps: 0,
      periodsPerYear: 252,
      sizing: { mode: 'percent', percent: 1 },
    });
    expect(() => runBacktest({ candles: bars(FLAT), strategy: buyAndHold, config: { startIndex: 5 } })).toThrow(
      RangeError,
    );
  });

  it('money figures are rounded to the minor unit at the edge (JPY: whole yen)', () => {
    const r = runBacktest({
      candles: randomCandles(100, 5),
      strategy: buyAndHold,
      config: { currency: 'JPY', commission: { rate: 0.0013 } },
    });
    expect(r.money.finalEquity).toMatch(/^\d+$/);
    expect(Number.isInteger(r.metrics.finalEquity)).toBe(true);
    expect(Number.isInteger(r.metrics.totalCommission)).toBe(true);
    // and the figures are the unrounded ones rounded to whole yen (no tie here, so half-even = Math.round)
    const last = r.equity[r.equity.length - 1];
    const fees = r.trades.reduce((sum, t) => sum + t.commission, 0);
    for (const x of [last, fees, last - 10_000]) expect(Math.abs(x - Math.trunc(x))).not.toBe(0.5);
    expect(r.money.currency).toBe('JPY');
    expect(r.money.initialCapital).toBe('10000');
    expect(r.money.finalEquity).toBe(String(Math.round(last)));
    expect(r.metrics.finalEquity).toBe(Math.round(last));
    expect(r.money.totalCommission).toBe(String(Math.round(fees)));
    expect(r.metrics.totalCommission).toBe(Math.round(fees));
    expect(r.metrics.netProfit).toBe(Math.round(last - 10_000));
    expect(fees).toBeGreaterThan(0);
  });
});

describe('runBacktest: accounting invariants', () => {
  it('final equity = initial capital + Σ net trade P&L, for random signals and cost models (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.dictionary(
          fc.integer({ min: 0, max: 79 }).map(String),
          fc.record({
            side: fc.constantFrom('long' as const, 'short' as const),
            stopPct: fc.option(fc.double({ min: 0.001, max: 0.1, noNaN: true }), { nil: undefined }),
            targetPct: fc.option(fc.double({ min: 0.001, max: 0.2, noNaN: true }), { nil: undefined }),
          }),
        ),
        fc.record({
          perShare: fc.double({ min: 0, max: 0.05, noNaN: true }),
          rate: fc.double({ min: 0, max: 0.005, noNaN: true }),
          fixed: fc.double({ min: 0, max: 5, noNaN: true }),
          minimum: fc.double({ min: 0, max: 5, noNaN: true }),
        }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.constantFrom('reverse' as const, 'close' as const, 'ignore' as const),
        fc.boolean(),
        (seed, raw, commission, slippageBps, onOpposite, risk) => {
          const c = randomCandles(80, seed);
          const script: Script = {};
          for (const [k, v] of Object.entries(raw)) {
            const i = Number(k);
            const entry = c.close[i];
            const d = v.side === 'long' ? 1 : -1;
            script[i] = {
              side: v.side,
              entry,
              stop: v.stopPct === undefined ? null : entry * (1 - d * v.stopPct),
              target: v.targetPct === undefined ? null : entry * (1 + d * v.targetPct),
            };
          }
          const r = runBacktest({
            candles: c,
            strategy: scripted(script),
            config: {
              commission,
              slippageBps,
              onOpposite,
              sizing: risk ? { mode: 'risk', riskPercent: 0.02, maxPercent: 1 } : { mode: 'percent', percent: 0.9 },
            },
          });
          const sum = r.trades.reduce((s, t) => s + t.pnl, 0);
          expect(r.equity[79]).toBeCloseTo(10_000 + sum, 6);
          // one position at a time: trades never overlap, and each exit is on or after its entry
          for (let k = 0; k < r.trades.length; k++) {
            const t = r.trades[k];
            expect(t.exitIndex).toBeGreaterThanOrEqual(t.entryIndex);
            if (k > 0) expect(t.entryIndex).toBeGreaterThanOrEqual(r.trades[k - 1].exitIndex);
            // fills only at prices the bar actually traded (before slippage)
            const lo = c.low[t.exitIndex] * (1 - slippageBps / 1e4) - 1e-9;
            const hi = c.high[t.exitIndex] * (1 + slippageBps / 1e4) + 1e-9;
            expect(t.exitPrice).toBeGreaterThanOrEqual(lo);
            expect(t.exitPrice).toBeLessThanOrEqual(hi);
            expect(t.entryPrice).toBeCloseTo(
              c.open[t.entryIndex] * (1 + (t.side === 'long' ? 1 : -1) * (slippageBps / 1e4)),
              9,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('results do not depend on where the engine splits the bars into blocks (property)', () => {
    // 16 344 quiet bars, then 80 random ones: the engine's first block boundary (bar 16 384)
    // falls in the middle of the active part. Trades must equal those of the 80 bars alone.
    const pad = 16_344;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.dictionary(fc.integer({ min: 0, max: 79 }).map(String), fc.constantFrom('long' as const, 'short' as const)),
        (seed, raw) => {
          const a = randomCandles(80, seed);
          const rows: [number, number, number, number][] = [];
          for (let i = 0; i < pad; i++) rows.push([100, 100, 100, 100]);
          for (let i = 0; i < 80; i++) rows.push([a.open[i], a.high[i], a.low[i], a.close[i]]);
          const b = bars(rows);
          const script: Script = {};
          const shifted: Script = {};
          for (const [k, side] of Object.entries(raw)) {
            const i = Number(k);
            const d = side === 'long' ? 1 : -1;
            const sig = { side, stop: a.close[i] * (1 - d * 0.01), target: a.close[i] * (1 + d * 0.02) };
            script[i] = sig;
            shifted[i + pad] = sig;
          }
          const config: BacktestConfigInput = { commission: { rate: 0.001 }, slippageBps: 3 };
          const ra = runBacktest({ candles: a, strategy: scripted(script), config });
          const rb = runBacktest({ candles: b, strategy: scripted(shifted), config });
          const strip = (t: Trade, off: number) => ({
            ...t,
            entryIndex: t.entryIndex - off,
            exitIndex: t.exitIndex - off,
            entryTime: 0,
            exitTime: 0,
            reason: '',
          });
          expect(rb.trades.map((t) => strip(t, pad))).toEqual(ra.trades.map((t) => strip(t, 0)));
          expect([...rb.equity.subarray(pad)]).toEqual([...ra.equity]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a long run: hundreds of trades (the columnar log grows), accounting still exact', () => {
    const c = randomCandles(6000, 99);
    const r = runBacktest({
      candles: c,
      strategy: smaCross,
      params: { fast: 3, slow: 8, stopPct: 0.01, targetPct: 0.02 },
      config: { commission: { rate: 0.001, minimum: 1 }, slippageBps: 2 },
    });
    expect(r.trades.length).toBeGreaterThan(300);
    expect(r.metrics.tradeCount).toBe(r.trades.length);
    const sum = r.trades.reduce((s, t) => s + t.pnl, 0);
    expect(r.equity[5999]).toBeCloseTo(10_000 + sum, 6);
    for (const t of r.trades) {
      expect(t.pnl).toBeCloseTo(t.grossPnl - t.commission, 9);
      expect(t.grossPnl).toBeCloseTo((t.side === 'long' ? 1 : -1) * t.quantity * (t.exitPrice - t.entryPrice), 9);
      expect(t.entryTime).toBe(c.time[t.entryIndex]);
      expect(t.exitTime).toBe(c.time[t.exitIndex]);
      expect(t.barsHeld).toBe(t.exitIndex - t.entryIndex);
      expect(['stop', 'target', 'signal', 'end']).toContain(t.exitReason);
    }
    for (const why of ['stop', 'target', 'signal']) expect(r.trades.some((t) => t.exitReason === why)).toBe(true);
    expect(r.metrics.winningTrades + r.metrics.losingTrades).toBeLessThanOrEqual(r.trades.length);
    expect(r.metrics.averageTradeDuration).toBeCloseTo(
      r.trades.reduce((s, t) => s + t.exitTime - t.entryTime, 0) / r.trades.length,
      6,
    );
  });

  it("the report's metrics are exactly the exported metric functions over its returns and trades", () => {
    const c = randomCandles(3000, 7);
    for (const config of [
      { commission: { rate: 0.001 }, slippageBps: 2 },
      { riskFree: 0.0001, periodsPerYear: 52, startIndex: 25, commission: { fixed: 1 } },
    ] satisfies BacktestConfigInput[]) {
      const r = runBacktest({ candles: c, strategy: smaCross, params: { fast: 3, slow: 8, stopPct: 0.01 }, config });
      const cfg = BacktestConfigSchema.parse(config);
      const eq = r.equity.subarray(cfg.startIndex);
      const rets = eq.map((e, i) => e / (i === 0 ? cfg.initialCapital : eq[i - 1]) - 1);
      const ann = { annualization: cfg.periodsPerYear };
      const m = r.metrics;
      expect(Object.is(m.annualReturn, metricFns.annualReturn(rets, ann))).toBe(true);
      expect(Object.is(m.annualVolatility, metricFns.annualVolatility(rets, ann))).toBe(true);
      expect(Object.is(m.sharpe, metricFns.sharpeRatio(rets, { ...ann, riskFree: cfg.riskFree }))).toBe(true);
      expect(Object.is(m.sortino, metricFns.sortinoRatio(rets, { ...ann, requiredReturn: cfg.riskFree }))).toBe(true);
      expect(Object.is(m.maxDrawdown, metricFns.maxDrawdown(rets))).toBe(true);
      expect(Object.is(m.calmar, metricFns.calmarRatio(rets, ann))).toBe(true);
      expect(r.trades.length).toBeGreaterThan(50);
      expect(Object.is(m.profitFactor, metricFns.profitFactor(r.trades))).toBe(true);
      expect(Object.is(m.winRate, metricFns.winRate(r.trades))).toBe(true);
      expect(Object.is(m.averageTradeDuration, metricFns.averageTradeDuration(r.trades))).toBe(true);
      expect(m.expectancy).toBeCloseTo(metricFns.expectancy(r.trades), 2); // rounded to cents in the report
    }
  });

  it('the trade log is built once on first access and serialises with the result', () => {
    const r = runBacktest({ candles: bars(FLAT), strategy: longThenClose, config: half });
    expect(r.trades).toBe(r.trades);
    const json = JSON.parse(JSON.stringify({ ...r, equity: [], drawdown: [] })) as { trades: { pnl: number }[] };
    expect(json.trades).toHaveLength(1);
    expect(json.trades[0].pnl).toBe(500);
  });

  it('a signal on the last bar is never filled', () => {
    const r = runBacktest({ candles: bars(FLAT), strategy: scripted({ 4: { side: 'long' } }) });
    expect(r.trades).toHaveLength(0);
    expect(r.skippedSignals).toBe(0);
  });
});
