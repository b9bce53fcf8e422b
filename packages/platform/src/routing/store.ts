import type { UnitOfWork } from '../data/unit-of-work.js';
import type { RoutingConfig, RoutingConfigOf, RoutingKind } from './schemas.js';

export interface RoutingEntry<K extends RoutingKind = RoutingKind> {
  tenantId: string;
  env: string;
  kind: K;
  config: RoutingConfigOf<K>;
  version: number;
  updatedAt: string;
}

/** A stored entry as written, before its config is re-validated (it may be corrupt). */
export interface StoredRoutingEntry {
  tenantId: string;
  env: string;
  kind: RoutingKind;
  config: unknown;
  version: number;
  updatedAt: string;
}

/** Routing entries: (tenant, env, kind) → backend config, versioned. */
export interface RoutingStore {
  get(tenantId: string, env: string, kind: RoutingKind): Promise<StoredRoutingEntry | undefined>;
  /** creates (expectedVersion undefined) or replaces the entry at `expectedVersion` */
  put(
    uow: UnitOfWork,
    entry: { tenantId: string; env: string; kind: RoutingKind; config: RoutingConfig; updatedAt: string },
    expectedVersion: number | undefined,
  ): StoredRoutingEntry;
  delete(uow: UnitOfWork, tenantId: string, env: string, kind: RoutingKind): void;
  /**
   * Whether a data table of this name exists (DescribeTable): a routing entry naming one that
   * does not is refused on write. The routes that write entries need `dynamodb:DescribeTable`.
   */
  tableExists(tableName: string): Promise<boolean>;
}
