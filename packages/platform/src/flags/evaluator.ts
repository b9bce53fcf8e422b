import { BoundedCache, CACHE_LIMITS } from '../config/caches.js';
import { evaluateFlag, type FlagContext, type FlagDefinition, type FlagEvaluation, type FlagSetting } from './flags.js';
import type { FlagStore } from './store.js';

interface Layers {
  global: FlagSetting | undefined;
  override: FlagSetting | undefined;
}

/**
 * Evaluates flags for a request or a job. A flag's two layers (global, the tenant's override) are
 * cached together per (tenant, flag) for a few seconds, so a change is seen everywhere within
 * CACHE_LIMITS.flags.ttlMs (4 s) and a hot path reads DynamoDB at most once per window; the cache
 * is bounded like every other (a warm function serves every tenant).
 */
export class FlagEvaluator {
  private readonly cache: BoundedCache<string, Promise<Layers>>;

  constructor(
    readonly store: FlagStore,
    now: () => number,
  ) {
    this.cache = new BoundedCache(CACHE_LIMITS.flags, now);
  }

  private layers(tenantId: string, key: string): Promise<Layers> {
    const cacheKey = `${tenantId}\u0000${key}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const read = Promise.all([this.store.global(key), this.store.override(tenantId, key)]).then(
      ([global, override]) => ({ global, override }),
    );
    this.cache.set(cacheKey, read);
    // a failed read is not remembered: the next caller tries again
    read.catch(() => this.cache.delete(cacheKey));
    return read;
  }

  async evaluate(def: FlagDefinition, ctx: FlagContext): Promise<FlagEvaluation> {
    const { global, override } = await this.layers(ctx.tenantId, def.key);
    return evaluateFlag(def, global, override, ctx);
  }

  async isEnabled(def: FlagDefinition, ctx: FlagContext): Promise<boolean> {
    return (await this.evaluate(def, ctx)).enabled;
  }

  /** after a change in this process: its own next read sees it at once */
  forget(): void {
    this.cache.clear();
  }
}
