import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../src/money.js';
import { HARD_LIMITS, createAccountRiskState, positionSize, tightenLimits, validateTrade } from '../src/risk/index.js';

describe('positionSize (fixed-risk)', () => {
  it('sizes so that a stop-out loses riskPct of equity', () => {
    // 100,000 × 1% = 1,000 at risk; 2 per unit → 500 units; 500 × 10 = 5,000 notional (5%), 0.5 lot of 1,000
    const s = positionSize({ equity: '100000', riskPct: 1, entry: '10', stop: '8', lotSize: '1000' });
    expect(s).toEqual({ quantity: '500', lots: '0.5', notional: '5000', riskAmount: '1000', riskPct: 1, cappedBy: [] });
  });

  it('floors to the step and counts commission on entry and exit', () => {
    const s = positionSize({
      equity: '100000',
      riskPct: 0.1,
      entry: '101',
      stop: '98',
      lotSize: '1000',
      step: '0.001',
      commissionPerUnit: '0.01',
    });
    // 100 / (3 + 0.02) = 33.1125... → 33.112
    expect(s.quantity).toBe('33.112');
    expect(money(s.riskAmount).lte(100)).toBe(true);
    const whole = positionSize({ equity: '100000', riskPct: 0.1, entry: '101', stop: '98', lotSize: '1000' });
    expect(whole.quantity).toBe('33');
  });

  it('caps the risk percent, the lots and the share of equity, saying which', () => {
    expect(positionSize({ equity: '100000', riskPct: 5, entry: '10', stop: '8', lotSize: '800' }).cappedBy).toEqual([
      'riskPct',
      'lots',
    ]);
    const lots = positionSize({ equity: '100000', riskPct: 2, entry: '1', stop: '0.9', lotSize: '10000' });
    expect(lots).toMatchObject({ quantity: '10000', cappedBy: ['lots'] });
    const pct = positionSize({ equity: '100000', riskPct: 2, entry: '100', stop: '99', lotSize: '100000' });
    // 2,000 / 1 = 2,000 units, but 10% of equity at 100 each is 100 units
    expect(pct).toMatchObject({ quantity: '100', notional: '10000', cappedBy: ['pctOfEquity'] });
    const tight = positionSize({
      equity: '100000',
      riskPct: 2,
      entry: '100',
      stop: '99',
      lotSize: '100000',
      limits: tightenLimits(HARD_LIMITS, { maxPositionPctOfEquity: 5 }),
    });
    expect(tight.quantity).toBe('50');
  });

  it('works for shorts (stop above entry) and returns 0 when nothing fits', () => {
    expect(positionSize({ equity: '100000', riskPct: 1, entry: '8', stop: '10', lotSize: '1000' }).quantity).toBe(
      '500',
    );
    expect(positionSize({ equity: '100', riskPct: 1, entry: '1000', stop: '900' }).quantity).toBe('0');
    expect(positionSize({ equity: '-5', riskPct: 1, entry: '10', stop: '9' }).quantity).toBe('0');
  });

  it('refuses bad input', () => {
    expect(() => positionSize({ equity: '1000', riskPct: 1, entry: '10', stop: '10' })).toThrow(RangeError);
    expect(() => positionSize({ equity: '1000', riskPct: -1, entry: '10', stop: '9' })).toThrow(RangeError);
    expect(() => positionSize({ equity: '1000', riskPct: 1, entry: '10', stop: '9', step: '0' })).toThrow(RangeError);
    expect(() => positionSize({ equity: 1000 as unknown as string, riskPct: 1, entry: '10', stop: '9' })).toThrow(
      TypeError,
    );
  });

  it("a sized trade passes the validator's size and risk checks, and one more step would not fit (property)", () => {
    const NOW = Date.UTC(2026, 0, 1, 12);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1000n, max: 10n ** 9n }),
        fc.integer({ min: 1, max: 300 }),
        fc.bigInt({ min: 100n, max: 10n ** 6n }),
        fc.integer({ min: 1, max: 99 }),
        fc.constantFrom('1', '0.01', '0.00000001'),
        fc.constantFrom('1', '100', '100000'),
        fc.boolean(),
        (equityCents, riskBp, entryCents, stopPct, step, lotSize, long) => {
          const equity = money(equityCents.toString()).div(100);
          const entry = money(entryCents.toString()).div(100);
          const dist = entry.times(stopPct).div(100).toDecimalPlaces(4, 1);
          if (dist.isZero()) return;
          const stop = long ? entry.minus(dist) : entry.plus(dist);
          const riskPct = riskBp / 100;
          const s = positionSize({ equity, riskPct, entry, stop, step, lotSize });
          const q = money(s.quantity);
          expect(q.div(step).isInteger()).toBe(true);
          if (q.isZero()) return;
          const target = long ? entry.plus(dist.times(2)) : entry.minus(dist.times(2));
          const state = createAccountRiskState({ balance: equity, now: NOW });
          const d = validateTrade(
            { strategyId: 's', side: long ? 'long' : 'short', quantity: q, entry, stop, target, lotSize },
            state,
            HARD_LIMITS,
            NOW,
          );
          expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([]);
          // maximal: one more step breaks the risk budget or a cap
          const more = q.plus(step);
          const usedPct = Math.min(riskPct, HARD_LIMITS.maxRiskPerTradePct);
          const overRisk = more.times(dist).times(100).gt(equity.times(usedPct));
          const overLots = more.gt(money(lotSize).times(HARD_LIMITS.maxPositionLots));
          const overPct = more.times(entry).times(100).gt(equity.times(HARD_LIMITS.maxPositionPctOfEquity));
          expect(overRisk || overLots || overPct).toBe(true);
        },
      ),
    );
  });
});
