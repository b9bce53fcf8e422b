import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { k } from '../data/keys.js';
import { unavailable } from '../errors.js';
import { routingConfig, type RoutingConfig } from '../routes/schemas.js';

export type RoutingKind = RoutingConfig['kind'];
type ConfigOf<K extends RoutingKind> = Extract<RoutingConfig, { kind: K }>;

export interface RoutingEntry<K extends RoutingKind = RoutingKind> {
  tenantId: string;
  env: string;
  kind: K;
  config: ConfigOf<K>;
  version: number;
  updatedAt: string;
}

/**
 * The only way code finds a tenant's backends. Entries are cached per process for `ttlMs`
 * (default 4 s, so a change is seen within 5 s); a missing entry is a 503, never a fallback.
 */
export class RoutingRegistry {
  private cache = new Map<string, { at: number; entry: RoutingEntry | null }>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number,
    private readonly ttlMs = 4000,
  ) {}

  async find<K extends RoutingKind>(tenantId: string, env: string, kind: K): Promise<RoutingEntry<K> | null> {
    const cacheKey = `${tenantId}|${env}|${kind}`;
    const hit = this.cache.get(cacheKey);
    const t = this.now();
    if (hit && t - hit.at < this.ttlMs) return hit.entry as RoutingEntry<K> | null;
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: k.routing(tenantId, env, kind), ConsistentRead: true }),
    );
    let entry: RoutingEntry<K> | null = null;
    if (res.Item) {
      const parsed = routingConfig.safeParse(res.Item.config);
      // A corrupt entry is as good as none: refuse rather than guess.
      if (parsed.success && parsed.data.kind === kind) {
        entry = {
          tenantId,
          env,
          kind,
          config: parsed.data as ConfigOf<K>,
          version: Number(res.Item.version ?? 1),
          updatedAt: String(res.Item.updatedAt ?? ''),
        };
      }
    }
    this.cache.set(cacheKey, { at: t, entry: entry as RoutingEntry | null });
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
