import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Role, Tier } from '../context/types.js';
import { AppError, conflict } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { k } from './keys.js';

export interface TenantRecord {
  tenantId: string;
  name: string;
  mode: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}
export interface ProjectRecord {
  tenantId: string;
  projectId: string;
  name: string;
  surface: string;
  app?: Record<string, string>;
  createdAt: string;
}
export interface MemberRecord {
  tenantId: string;
  userId: string;
  roles: Role[];
  tier: Tier;
  updatedAt: string;
}
export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  projectId: string;
  name: string;
  tier: Tier;
  roles: Role[];
  hash: string;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Strip key attributes before returning records to callers. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, ttl: _ttl, hash: _hash, ...rest } = item;
  return rest as T;
}

/** Maps a cancelled transaction to a 409/412 instead of a 500. */
export function txFailure(e: unknown, onCondition: () => AppError): never {
  const name = (e as { name?: string }).name;
  if (name === 'TransactionCanceledException' || name === 'ConditionalCheckFailedException') {
    const reasons = (e as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
    if (name === 'ConditionalCheckFailedException' || reasons.some((r) => r.Code === 'ConditionalCheckFailed'))
      throw onCondition();
    if (reasons.some((r) => r.Code === 'TransactionConflict'))
      throw conflict('WRITE_CONFLICT', 'A concurrent write touched the same item; retry');
  }
  throw e;
}

/** Repository over the control table (tenants, modes, projects, members, routing, keys, counters). */
export class ControlStore {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  async transact(items: TxItem[], onCondition: () => AppError): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      txFailure(e, onCondition);
    }
  }

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: k.tenant(tenantId) }));
    return strip<TenantRecord>(r.Item);
  }

  /** Tenant, membership and project in one round trip (request context resolution). */
  async contextRecords(tenantId: string, userId: string | undefined, projectId: string | undefined) {
    const keys = [k.tenant(tenantId)];
    if (userId) keys.push(k.member(tenantId, userId));
    if (projectId) keys.push(k.project(tenantId, projectId));
    const r = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
    );
    const items = r.Responses?.[this.table] ?? [];
    const find = (key: { PK: string; SK: string }) => items.find((i) => i.PK === key.PK && i.SK === key.SK);
    return {
      tenant: strip<TenantRecord>(find(k.tenant(tenantId))),
      member: userId ? strip<MemberRecord>(find(k.member(tenantId, userId))) : undefined,
      project: projectId ? strip<ProjectRecord>(find(k.project(tenantId, projectId))) : undefined,
    };
  }

  async getMember(tenantId: string, userId: string): Promise<MemberRecord | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: k.member(tenantId, userId), ConsistentRead: true }),
    );
    return strip<MemberRecord>(r.Item);
  }

  async queryPrefix<T>(
    pk: string,
    prefix: string,
    limit: number,
    cursor: string | undefined,
    opts: { index?: 'GSI1'; forward?: boolean } = {},
  ): Promise<Page<T>> {
    const pkAttr = opts.index ? 'GSI1PK' : 'PK';
    const skAttr = opts.index ? 'GSI1SK' : 'SK';
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: opts.index,
        KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: prefix ? { '#pk': pkAttr, '#sk': skAttr } : { '#pk': pkAttr },
        ExpressionAttributeValues: prefix ? { ':pk': pk, ':prefix': prefix } : { ':pk': pk },
        Limit: limit,
        ScanIndexForward: opts.forward ?? true,
        ExclusiveStartKey: decodeCursor(cursor, pk, pkAttr),
      }),
    );
    return { items: (r.Items ?? []).map((i) => strip<T>(i) as T), nextCursor: encodeCursor(r.LastEvaluatedKey) };
  }

  async getRaw(key: { PK: string; SK: string }, consistent = false) {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: consistent }));
    return r.Item;
  }

  async getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: k.apiKey(keyId), ConsistentRead: true }));
    return r.Item as ApiKeyRecord | undefined;
  }

  async isRevoked(jti: string): Promise<boolean> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: k.revoked(jti), ConsistentRead: true }));
    return Boolean(r.Item);
  }

  /** Revokes a token id until its own expiry (TTL removes the record afterwards). */
  async revoke(jti: string, expSeconds: number, by: string, nowMs: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...k.revoked(jti), jti, revokedBy: by, revokedAt: new Date(nowMs).toISOString(), ttl: expSeconds },
      }),
    );
  }

  /** Atomic per-window counter; returns the count after this request. */
  async hit(tenantId: string, principal: string, window: number, ttlSeconds: number): Promise<number> {
    const r = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: k.rate(tenantId, principal, window),
        UpdateExpression: 'ADD #n :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#n': 'count', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': ttlSeconds },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(r.Attributes?.count ?? 1);
  }

  async getConfig<T>(name: string): Promise<T | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: k.config(name) }));
    return r.Item?.value as T | undefined;
  }

  async putConfig(name: string, value: unknown): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...k.config(name), value } }));
  }
}
