import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteExisting, versionedPut, withoutKeys } from '../data/items.js';
import { dynamoUnitOfWork, type UnitOfWork } from '../data/unit-of-work.js';
import { notFound, preconditionFailed } from '../errors.js';
import { tenantPartition } from '../tenancy/store.dynamo.js';
import type { FlagSetting } from './flags.js';
import type { FlagStore } from './store.js';

const SYSTEM_TENANT = 't_system';
const GLOBAL = 'global';
/**
 * Global settings live in t_system's partition, overrides in their tenant's: every control key
 * of a tenant starts with its tenant, and a tenant's overrides are one Query.
 */
const keyOf = (scope: string, key: string) =>
  scope === GLOBAL
    ? { PK: tenantPartition(SYSTEM_TENANT), SK: `FLAG#GLOBAL#${key}` }
    : { PK: tenantPartition(scope), SK: `FLAG#TENANT#${key}` };

export class DynamoFlagStore implements FlagStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async get(scope: string, key: string): Promise<FlagSetting | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keyOf(scope, key), ConsistentRead: true }),
    );
    return withoutKeys<FlagSetting>(res.Item);
  }

  private async query(pk: string, prefix: string): Promise<FlagSetting[]> {
    const out: FlagSetting[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        const setting = withoutKeys<FlagSetting>(item);
        if (setting) out.push(setting);
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  global(key: string) {
    return this.get(GLOBAL, key);
  }

  override(tenantId: string, key: string) {
    return this.get(tenantId, key);
  }

  globals() {
    return this.query(tenantPartition(SYSTEM_TENANT), 'FLAG#GLOBAL#');
  }

  overrides(tenantId: string) {
    return this.query(tenantPartition(tenantId), 'FLAG#TENANT#');
  }

  put(uow: UnitOfWork, setting: FlagSetting, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, keyOf(setting.scope, setting.key), { ...setting }, expectedVersion),
      () => preconditionFailed(`Flag ${setting.key} (${setting.scope}) changed concurrently`),
    );
  }

  remove(uow: UnitOfWork, tenantId: string, key: string): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, keyOf(tenantId, key)), () =>
      notFound('FLAG_OVERRIDE_NOT_FOUND', `Tenant ${tenantId} has no override of ${key}`),
    );
  }
}
