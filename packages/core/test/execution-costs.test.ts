import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommissionConfig } from '../src/backtest/config.js';
import { commission } from '../src/backtest/engine.js';
import { commissionOf, roundPrice, slippedPrice } from '../src/execution/index.js';
import { Dec, decimalString } from '../src/money.js';

const FREE: CommissionConfig = { perShare: 0, rate: 0, fixed: 0, minimum: 0 };

/** A decimal string from integer units at a scale, and the same value as a correctly rounded double. */
const scaled = (units: number, scale: number) => {
  const s = decimalString(new Dec(units).div(new Dec(10).pow(scale)));
  return { s, n: Number(s) };
};

describe('commissionOf', () => {
  it('is max(minimum, fixed + perShare × q + rate × q × price), exactly', () => {
    const c = { perShare: 0.005, rate: 0.001, fixed: 1, minimum: 0 };
    // 1 + 0.005 × 300 + 0.001 × 300 × 12.34 = 1 + 1.5 + 3.702
    expect(decimalString(commissionOf('300', '12.34', c))).toBe('6.202');
    expect(decimalString(commissionOf('300', '12.34', { ...c, minimum: 7 }))).toBe('7');
    expect(decimalString(commissionOf('300', '12.34', { ...c, minimum: 6.202 }))).toBe('6.202');
    expect(decimalString(commissionOf('300', '12.34', FREE))).toBe('0');
  });

  it('is exact where floats are not: 0.1 × 3 at rate 0.1', () => {
    // a float gives 0.30000000000000004 for 3 × 0.1 × 1
    expect(decimalString(commissionOf('3', '1', { ...FREE, rate: 0.1 }))).toBe('0.3');
    expect(decimalString(commissionOf('0.1', '3', { ...FREE, perShare: 0.2 }))).toBe('0.02');
  });

  it('refuses negative inputs, bad configs and JS numbers', () => {
    expect(() => commissionOf('-1', '1', FREE)).toThrow(RangeError);
    expect(() => commissionOf('1', '-1', FREE)).toThrow(RangeError);
    expect(() => commissionOf('1', '1', { ...FREE, rate: Number.NaN })).toThrow(/commission.rate/);
    expect(() => commissionOf('1', '1', { ...FREE, fixed: -1 })).toThrow(/commission.fixed/);
    expect(() => commissionOf(1 as unknown as string, '1', FREE)).toThrow(TypeError);
  });

  it('property: agrees with the backtester’s float commission on random configs', () => {
    fc.assert(
      fc.property(
        fc.record({
          perShare: fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000),
          rate: fc.integer({ min: 0, max: 100_000 }).map((n) => n / 1_000_000),
          fixed: fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100),
          minimum: fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100),
        }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 0, max: 4 }),
        (c, qUnits, qScale, pUnits, pScale) => {
          const q = scaled(qUnits, qScale);
          const p = scaled(pUnits, pScale);
          const exact = commissionOf(q.s, p.s, c);
          const float = commission(q.n, p.n, c);
          const tolerance = Math.max(1e-12, Math.abs(float) * 1e-12);
          expect(Math.abs(exact.toNumber() - float)).toBeLessThanOrEqual(tolerance);
          expect(exact.gte(c.minimum)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('slippedPrice', () => {
  it('moves against the trader: a buy pays more, a sell receives less', () => {
    expect(decimalString(slippedPrice('100', 'buy', 5))).toBe('100.05');
    expect(decimalString(slippedPrice('100', 'sell', 5))).toBe('99.95');
    expect(decimalString(slippedPrice('100', 'buy', 0))).toBe('100');
    expect(decimalString(slippedPrice('100', 'sell', 0.5))).toBe('99.995');
    expect(decimalString(slippedPrice('100', 'sell', 10_000))).toBe('0');
  });

  it('refuses bps outside [0, 10000], an unknown side and a negative price', () => {
    expect(() => slippedPrice('100', 'buy', -1)).toThrow(RangeError);
    expect(() => slippedPrice('100', 'sell', 10_001)).toThrow(RangeError);
    expect(() => slippedPrice('100', 'buy', Number.NaN)).toThrow(RangeError);
    expect(() => slippedPrice('100', 'long' as 'buy', 1)).toThrow(RangeError);
    expect(() => slippedPrice('-100', 'buy', 1)).toThrow(RangeError);
  });

  it('property: agrees with the backtester’s price × (1 ± bps/10 000) and never favours the trader', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10),
        fc.constantFrom('buy' as const, 'sell' as const),
        (units, scale, bps, side) => {
          const p = scaled(units, scale);
          const exact = slippedPrice(p.s, side, bps);
          const slip = bps / 10_000;
          const float = p.n * (1 + (side === 'buy' ? 1 : -1) * slip);
          expect(Math.abs(exact.toNumber() - float)).toBeLessThanOrEqual(Math.abs(float) * 1e-12 + 1e-12);
          if (side === 'buy') expect(exact.gte(p.s)).toBe(true);
          else expect(exact.lte(p.s)).toBe(true);
        },
      ),
    );
  });
});

describe('roundPrice', () => {
  it('rounds half-even to the given places', () => {
    expect(decimalString(roundPrice('1.005', 2))).toBe('1');
    expect(decimalString(roundPrice('1.015', 2))).toBe('1.02');
    expect(decimalString(roundPrice('1.0150001', 2))).toBe('1.02');
    expect(decimalString(roundPrice('1.0049999', 2))).toBe('1');
    expect(decimalString(roundPrice('2.5', 0))).toBe('2');
    expect(decimalString(roundPrice('3.5', 0))).toBe('4');
    expect(decimalString(roundPrice('-2.5', 0))).toBe('-2');
    expect(decimalString(roundPrice('100.123456', 4))).toBe('100.1235');
  });

  it('refuses a negative, fractional or huge number of places', () => {
    expect(() => roundPrice('1', -1)).toThrow(RangeError);
    expect(() => roundPrice('1', 1.5)).toThrow(RangeError);
    expect(() => roundPrice('1', 35)).toThrow(RangeError);
  });
});
