import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedCache } from './caches.js';

describe('BoundedCache', () => {
  it('never holds more than its cap, whatever is stored', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }),
        (max, keys) => {
          const cache = new BoundedCache<string, number>({ max, ttlMs: 1000 }, () => 0);
          keys.forEach((k, i) => {
            cache.set(k, i);
            expect(cache.size).toBeLessThanOrEqual(max);
          });
          expect(cache.size).toBe(Math.min(max, new Set(keys).size));
        },
      ),
    );
  });

  it('evicts the least recently used: a read keeps an entry', () => {
    const cache = new BoundedCache<string, number>({ max: 2, ttlMs: 1000 }, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('an entry lives ttlMs on the given clock; a clock set back makes it stale, not fresher', () => {
    let now = 0;
    const cache = new BoundedCache<string, string>({ max: 10, ttlMs: 1000 }, () => now);
    cache.set('k', 'v');
    now = 999;
    expect(cache.get('k')).toBe('v');
    now = 1000;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
    now = 5000;
    cache.set('k', 'v');
    now = 4000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('refuses a cache without a cap', () => {
    expect(() => new BoundedCache({ max: 0, ttlMs: 1 }, () => 0)).toThrow(RangeError);
    expect(() => new BoundedCache({ max: Number.POSITIVE_INFINITY, ttlMs: 1 }, () => 0)).toThrow(RangeError);
  });
});
