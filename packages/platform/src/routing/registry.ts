import { unavailable } from '../errors.js';
import { type RoutingConfigOf, type RoutingKind, routingConfig } from './schemas.js';
import type { RoutingEntry, RoutingStore } from './store.js';

export type { RoutingEntry } from './store.js';

/**
 * The only way code finds a tenant's backends. Entries are cached per process for `ttlMs`
 * (default 4 s, so a change is seen within 5 s); a missing entry is a 503, never a fallback.
 */
export class RoutingRegistry {
  private cache = new Map<string, { at: number; entry: RoutingEntry | null }>();

  constructor(
    private readonly store: RoutingStore,
    private readonly now: () => number,
    private readonly ttlMs = 4000,
  ) {}

  async find<K extends RoutingKind>(tenantId: string, env: string, kind: K): Promise<RoutingEntry<K> | null> {
    const cacheKey = `${tenantId}|${env}|${kind}`;
    const hit = this.cache.get(cacheKey);
    const at = this.now();
    if (hit && at - hit.at < this.ttlMs) return hit.entry as RoutingEntry<K> | null;
    const stored = await this.store.get(tenantId, env, kind);
    let entry: RoutingEntry<K> | null = null;
    if (stored) {
      const parsed = routingConfig.safeParse(stored.config);
      // A corrupt entry is as good as none: refuse rather than guess.
      if (parsed.success && parsed.data.kind === kind) {
        entry = { ...stored, kind, config: parsed.data as RoutingConfigOf<K> };
      }
    }
    this.cache.set(cacheKey, { at, entry: entry as RoutingEntry | null });
    return entry;
  }

  async require<K extends RoutingKind>(tenantId: string, env: string, kind: K): Promise<RoutingEntry<K>> {
    const entry = await this.find(tenantId, env, kind);
    if (!entry) {
      throw unavailable('ROUTING_NOT_CONFIGURED', `No '${kind}' routing entry for tenant ${tenantId} in env ${env}`);
    }
    return entry;
  }

  invalidate(): void {
    this.cache.clear();
  }
}
