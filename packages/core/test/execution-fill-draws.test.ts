import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FillDrawConfigSchema, drawFill, nextRandom, seedState } from '../src/execution/index.js';
import { Dec, decimalString, money } from '../src/money.js';

const ALWAYS_FULL = { fillProbability: 1, partialFillProbability: 0 };
const ALWAYS_PARTIAL = { fillProbability: 1, partialFillProbability: 1 };
const NEVER = { fillProbability: 0, partialFillProbability: 0 };

/** The state two draws on. */
const twoOn = (s: number) => nextRandom(nextRandom(s).state).state;

describe('drawFill', () => {
  it('always consumes exactly two draws, whatever the outcome', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('0', '1', '10', '0.5', '12345.678'),
        fc.constantFrom(undefined, '1', '0.01', '1000'),
        (s, fillProbability, partialFillProbability, remaining, quantityStep) => {
          const d = drawFill(s, remaining, { fillProbability, partialFillProbability, quantityStep });
          expect(d.state).toBe(twoOn(s));
        },
      ),
    );
  });

  it('probability 0 never fills, 1 with no partials always fills the whole remaining', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (s) => {
        expect(drawFill(s, '10', NEVER)).toMatchObject({ outcome: 'none' });
        expect(drawFill(s, '10', NEVER).quantity.isZero()).toBe(true);
        const full = drawFill(s, '10.5', ALWAYS_FULL);
        expect(full.outcome).toBe('full');
        expect(decimalString(full.quantity)).toBe('10.5');
      }),
    );
  });

  it('the first draw decides: below p × partial a partial, below p a full fill, else none', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (s, p, q) => {
          const u = nextRandom(s).value;
          const expected = u < p * q ? 'partial' : u < p ? 'full' : 'none';
          // with a large remaining and no step, a partial never floors to none or reaches the whole
          expect(drawFill(s, '1000000', { fillProbability: p, partialFillProbability: q }).outcome).toBe(expected);
        },
      ),
    );
  });

  it('a partial takes 10%..90% of remaining, floored to the step, from the second draw', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 10_000_000 }), (s, units) => {
        const remaining = decimalString(new Dec(units).div(100));
        const d = drawFill(s, remaining, ALWAYS_PARTIAL);
        const second = nextRandom(nextRandom(s).state).value;
        const fraction = new Dec(100_000 + Math.floor(second * 800_001)).div(1_000_000);
        // without a step a partial is never empty nor the whole
        expect(d.outcome).toBe('partial');
        expect(d.quantity.eq(money(remaining).times(fraction))).toBe(true);
        expect(d.quantity.gte(money(remaining).times('0.1'))).toBe(true);
        expect(d.quantity.lte(money(remaining).times('0.9'))).toBe(true);
        const stepped = drawFill(s, remaining, { ...ALWAYS_PARTIAL, quantityStep: '1' });
        const floored = money(remaining).times(fraction).floor();
        if (floored.isZero()) expect(stepped.outcome).toBe('none');
        else if (floored.gte(remaining)) expect(stepped.outcome).toBe('full');
        else {
          expect(stepped.outcome).toBe('partial');
          expect(stepped.quantity.eq(floored)).toBe(true);
        }
      }),
    );
  });

  it('property: a fill never exceeds remaining and respects the step', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom('1', '0.1', '5', '100'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (s, units, step, q) => {
          const remaining = String(units);
          const d = drawFill(s, remaining, { fillProbability: 1, partialFillProbability: q, quantityStep: step });
          expect(d.quantity.lte(remaining) && d.quantity.gte(0)).toBe(true);
          if (d.outcome === 'none') expect(d.quantity.isZero()).toBe(true);
          if (d.outcome === 'full') expect(d.quantity.eq(remaining)).toBe(true);
          if (d.outcome === 'partial') {
            expect(d.quantity.gt(0) && d.quantity.lt(remaining)).toBe(true);
            expect(d.quantity.mod(step).isZero()).toBe(true);
          }
        },
      ),
    );
  });

  it('small remainders: a partial that floors to 0 is none, one that floors to the whole is full', () => {
    // 1 unit with a step of 1: any fraction in [0.1, 0.9] floors to 0
    for (let s = 0; s < 50; s++) {
      expect(drawFill(s, '1', { ...ALWAYS_PARTIAL, quantityStep: '1' }).outcome).toBe('none');
    }
    // nothing remaining: none
    expect(drawFill(7, '0', ALWAYS_FULL)).toMatchObject({ outcome: 'none', state: twoOn(7) });
  });

  it('replays: the same seed gives the same chain of fills; the chain ends full', () => {
    const run = (seed: number) => {
      let state = seedState(seed);
      let remaining = money('1000');
      const log: string[] = [];
      while (remaining.gt(0) && log.length < 200) {
        const d = drawFill(state, remaining, { fillProbability: 0.6, partialFillProbability: 0.8, quantityStep: '1' });
        state = d.state;
        remaining = remaining.minus(d.quantity);
        log.push(`${d.outcome}:${decimalString(d.quantity)}`);
      }
      return log;
    };
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const chain = run(seed);
      expect(run(seed)).toEqual(chain);
      expect(chain[chain.length - 1].startsWith('full')).toBe(true);
      for (const x of chain) outcomes.add(x.split(':')[0]);
    }
    expect(run(1)).not.toEqual(run(2));
    expect([...outcomes].sort()).toEqual(['full', 'none', 'partial']);
  });

  it('refuses probabilities outside [0, 1], a negative remaining or step, and JS-number quantities', () => {
    expect(() => drawFill(1, '1', { fillProbability: 1.1, partialFillProbability: 0 })).toThrow(/fillProbability/);
    expect(() => drawFill(1, '1', { fillProbability: 0.5, partialFillProbability: -0.1 })).toThrow(
      /partialFillProbability/,
    );
    expect(() => drawFill(1, '1', { fillProbability: Number.NaN, partialFillProbability: 0 })).toThrow(RangeError);
    expect(() => drawFill(1, '-1', ALWAYS_FULL)).toThrow(/remaining/);
    expect(() => drawFill(1, '1', { ...ALWAYS_FULL, quantityStep: '-1' })).toThrow(/quantityStep/);
    expect(() => drawFill(1, 1 as unknown as string, ALWAYS_FULL)).toThrow(TypeError);
    expect(() => drawFill(-1, '1', ALWAYS_FULL)).toThrow(/uint32/);
  });

  it('the config schema takes probabilities and a decimal-string step', () => {
    expect(FillDrawConfigSchema.safeParse({ fillProbability: 1, partialFillProbability: 0.25 }).success).toBe(true);
    expect(
      FillDrawConfigSchema.safeParse({ fillProbability: 1, partialFillProbability: 0, quantityStep: '0.001' }).success,
    ).toBe(true);
    expect(FillDrawConfigSchema.safeParse({ fillProbability: 2, partialFillProbability: 0 }).success).toBe(false);
    expect(
      FillDrawConfigSchema.safeParse({ fillProbability: 1, partialFillProbability: 0, quantityStep: 1 }).success,
    ).toBe(false);
    expect(
      FillDrawConfigSchema.safeParse({ fillProbability: 1, partialFillProbability: 0, quantityStep: '-1' }).success,
    ).toBe(false);
  });
});
