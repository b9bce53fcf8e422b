import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteExisting, versionedPut } from '../data/items.js';
import { dynamoUnitOfWork, type UnitOfWork } from '../data/unit-of-work.js';
import { notFound, preconditionFailed } from '../errors.js';
import { tenantPartition } from '../tenancy/store.dynamo.js';
import type { RoutingConfig, RoutingKind } from './schemas.js';
import type { RoutingStore, StoredRoutingEntry } from './store.js';

/** Routing entries live in their tenant's partition of the control table. */
const key = (tenantId: string, env: string, kind: string) => ({
  PK: tenantPartition(tenantId),
  SK: `ROUTING#${env}#${kind}`,
});

export class DynamoRoutingStore implements RoutingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(tenantId: string, env: string, kind: RoutingKind): Promise<StoredRoutingEntry | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: key(tenantId, env, kind), ConsistentRead: true }),
    );
    const item = res.Item;
    if (!item) return undefined;
    return {
      tenantId,
      env,
      kind,
      config: item.config,
      version: Number(item.version ?? 1),
      updatedAt: String(item.updatedAt ?? ''),
    };
  }

  put(
    uow: UnitOfWork,
    entry: { tenantId: string; env: string; kind: RoutingKind; config: RoutingConfig; updatedAt: string },
    expectedVersion: number | undefined,
  ): StoredRoutingEntry {
    const stored: StoredRoutingEntry = { ...entry, version: (expectedVersion ?? 0) + 1 };
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, key(entry.tenantId, entry.env, entry.kind), { ...stored }, expectedVersion),
      () => preconditionFailed('Routing entry changed concurrently'),
    );
    return stored;
  }

  async tableExists(tableName: string): Promise<boolean> {
    try {
      await this.db.send(new DescribeTableCommand({ TableName: tableName }));
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ResourceNotFoundException') return false;
      throw e;
    }
  }

  delete(uow: UnitOfWork, tenantId: string, env: string, kind: RoutingKind): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, key(tenantId, env, kind)), () =>
      notFound('ROUTING_NOT_FOUND', 'Routing entry already removed'),
    );
  }
}
