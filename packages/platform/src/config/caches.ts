/**
 * Every in-process cache is bounded in size and age: a warm Lambda lives for hours and serves
 * every tenant, so a cache keyed by anything a caller can choose (a tenant hint, an issuer) must
 * never grow with the number of distinct values it has seen.
 */
export const CACHE_LIMITS = {
  /** routing entries (tenant, env, kind), found or known to be absent */
  routingEntries: { max: 2000, ttlMs: 4000 },
  /** token verifiers, one per identity config (each holds its issuer's JWKS) */
  tokenVerifiers: { max: 64, ttlMs: 3_600_000 },
  /** resolved secrets, by reference */
  secrets: { max: 256, ttlMs: 300_000 },
  /** the rate-limit configuration (one entry) */
  rateLimits: { max: 1, ttlMs: 5000 },
  /** feature flags' global setting and tenant override, per (tenant, flag): a change is seen within 4 s */
  flags: { max: 2000, ttlMs: 4000 },
} as const;

/**
 * An LRU cache of at most `max` entries, each kept `ttlMs` by `now`: the platform's one clock, so
 * tests move it by hand and the local runtime's time travel applies to caches too (an entry
 * stored "in the future" of a clock that was set back is stale, not fresh for longer).
 *
 * A Map in recency order (a hit moves its key to the end; the first key is the least recently
 * used) rather than the lru-cache package: that one adds 18 KiB to every function's bundle, which
 * took the control-plane functions over their 400 KiB budget; these few lines do what is needed.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: V }>();
  private readonly max: number;
  private readonly ttlMs: number;

  constructor(
    limits: { max: number; ttlMs: number },
    private readonly now: () => number,
  ) {
    if (!(Number.isInteger(limits.max) && limits.max > 0)) throw new RangeError('a cache needs a positive size cap');
    this.max = limits.max;
    this.ttlMs = limits.ttlMs;
  }

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    const age = this.now() - hit.at;
    if (age < 0 || age >= this.ttlMs) return undefined;
    this.entries.set(key, hit); // now the most recently used
    return hit.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), value });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** entries held (never more than the cap; expired ones until they are read or pushed out) */
  get size(): number {
    return this.entries.size;
  }
}
