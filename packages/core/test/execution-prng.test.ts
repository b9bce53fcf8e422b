import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextRandom, seedState } from '../src/execution/index.js';
import { mulberry32 } from '../src/optimiser/prng.js';

/** n draws from a state, threading it through. */
function draws(state: number, n: number): { values: number[]; state: number } {
  const values: number[] = [];
  let s = state;
  for (let i = 0; i < n; i++) {
    const r = nextRandom(s);
    values.push(r.value);
    s = r.state;
  }
  return { values, state: s };
}

describe('execution PRNG', () => {
  it('is mulberry32: the same stream as the optimiser’s for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (seed) => {
        const rnd = mulberry32(seed);
        const expected = Array.from({ length: 20 }, () => rnd());
        expect(draws(seedState(seed), 20).values).toEqual(expected);
      }),
    );
  });

  it('pins the first values of seed 1 (a change of algorithm fails here)', () => {
    const r = nextRandom(seedState(1));
    expect(r.state).toBe((1 + 0x6d2b79f5) >>> 0);
    expect(r.value).toBe(0.6270739405881613);
  });

  it('replays: a stored state continues exactly where the run left off', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        (s, k, m) => {
          const whole = draws(s, k + m);
          const head = draws(s, k);
          // the state a request would persist, through JSON
          const stored = JSON.parse(JSON.stringify({ state: head.state })) as { state: number };
          const tail = draws(stored.state, m);
          expect([...head.values, ...tail.values]).toEqual(whole.values);
          expect(tail.state).toBe(whole.state);
        },
      ),
    );
  });

  it('values are in [0, 1) and states are uint32', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (s) => {
        const r = nextRandom(s);
        expect(r.value >= 0 && r.value < 1).toBe(true);
        expect(Number.isInteger(r.state) && r.state >= 0 && r.state <= 0xffffffff).toBe(true);
        expect(r.state).not.toBe(s);
      }),
    );
  });

  it('is not constant: 1000 draws spread over the unit interval', () => {
    const { values } = draws(seedState(42), 1000);
    const buckets = new Array(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]++;
    for (const b of buckets) expect(b).toBeGreaterThan(60);
    expect(new Set(values).size).toBe(1000);
  });

  it('seedState takes any finite integer modulo 2^32; other seeds and states are refused', () => {
    expect(seedState(0)).toBe(0);
    expect(seedState(-1)).toBe(0xffffffff);
    expect(seedState(2 ** 32 + 5)).toBe(5);
    expect(seedState(2 ** 53)).toBe(0);
    expect(() => seedState(1.5)).toThrow(RangeError);
    expect(() => seedState(Number.NaN)).toThrow(RangeError);
    expect(() => seedState(Infinity)).toThrow(RangeError);
    expect(() => nextRandom(-1)).toThrow(RangeError);
    expect(() => nextRandom(2 ** 32)).toThrow(RangeError);
    expect(() => nextRandom(0.5)).toThrow(RangeError);
  });
});
