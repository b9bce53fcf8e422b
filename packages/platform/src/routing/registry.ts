import { BoundedCache, CACHE_LIMITS } from '../config/caches.js';
import { ENVS } from '../context/types.js';
import { unavailable } from '../errors.js';
import { ID_PATTERN } from '../schemas/common.js';
import { type RoutingConfigOf, type RoutingKind, routingConfig } from './schemas.js';
import type { RoutingEntry, RoutingStore } from './store.js';

export type { RoutingEntry } from './store.js';

/** Only a tenant id and env of the right shape are ever looked up (or cached). */
function lookupable(tenantId: string, env: string): boolean {
  return ID_PATTERN.test(tenantId) && (ENVS as readonly string[]).includes(env);
}

/**
 * The only way code finds a tenant's backends. Entries (and known absences) are cached per
 * process for `ttlMs` (default 4 s, so a change is seen within 5 s) in an LRU of bounded size; a
 * missing entry is a 503, never a fallback. A tenant id or env of the wrong shape is never looked
 * up: it has no entry, and it cannot grow the cache.
 */
export class RoutingRegistry {
  private readonly cache: BoundedCache<string, { entry: RoutingEntry | null }>;

  constructor(
    private readonly store: RoutingStore,
    now: () => number,
    ttlMs: number = CACHE_LIMITS.routingEntries.ttlMs,
    maxEntries: number = CACHE_LIMITS.routingEntries.max,
  ) {
    this.cache = new BoundedCache({ max: maxEntries, ttlMs }, now);
  }

  async find<K extends RoutingKind>(tenantId: string, env: string, kind: K): Promise<RoutingEntry<K> | null> {
    if (!lookupable(tenantId, env)) return null;
    const cacheKey = `${tenantId}|${env}|${kind}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit.entry as RoutingEntry<K> | null;
    const stored = await this.store.get(tenantId, env, kind);
    let entry: RoutingEntry<K> | null = null;
    if (stored) {
      const parsed = routingConfig.safeParse(stored.config);
      // A corrupt entry is as good as none: refuse rather than guess.
      if (parsed.success && parsed.data.kind === kind) {
        entry = { ...stored, kind, config: parsed.data as RoutingConfigOf<K> };
      }
    }
    this.cache.set(cacheKey, { entry: entry as RoutingEntry | null });
    return entry;
  }

  async require<K extends RoutingKind>(tenantId: string, env: string, kind: K): Promise<RoutingEntry<K>> {
    const entry = await this.find(tenantId, env, kind);
    if (!entry) {
      throw unavailable(
        'ROUTING_NOT_CONFIGURED',
        `No '${kind}' routing entry for tenant ${tenantId} in env ${env}` +
          ' (an env with no routing entries is not served by this deployment)',
      );
    }
    return entry;
  }

  /** entries held in the cache (bounded by its cap) */
  get cachedEntries(): number {
    return this.cache.size;
  }

  invalidate(): void {
    this.cache.clear();
  }
}
