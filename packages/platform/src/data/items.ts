import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface ItemKey {
  PK: string;
  SK: string;
}

const KEY_ATTRIBUTES = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'ttl']);

/** A stored item without its key and index attributes: what a store hands back to use cases. */
export function withoutKeys<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(name)) out[name] = value;
  return out as T;
}

/** A put that only creates: fails its condition when an item with this key exists. */
export function putIfAbsent(table: string, key: ItemKey, attributes: Record<string, unknown>): TxItem {
  return {
    Put: { TableName: table, Item: { ...attributes, ...key }, ConditionExpression: 'attribute_not_exists(PK)' },
  };
}

/**
 * A put that replaces the item only while it is still at `expectedVersion` (optimistic concurrency);
 * `undefined` means it must not exist yet. `extraCondition` adds a clause such as
 * `attribute_not_exists(deletedAt)`.
 */
export function versionedPut(
  table: string,
  key: ItemKey,
  attributes: Record<string, unknown>,
  expectedVersion: number | undefined,
  extraCondition?: string,
): TxItem {
  if (expectedVersion === undefined) return putIfAbsent(table, key, attributes);
  return {
    Put: {
      TableName: table,
      Item: { ...attributes, ...key },
      ConditionExpression: `#version = :expectedVersion${extraCondition ? ` AND ${extraCondition}` : ''}`,
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
    },
  };
}

/** A delete that fails when the item is not there (so a concurrent delete is noticed). */
export function deleteExisting(table: string, key: ItemKey): TxItem {
  return { Delete: { TableName: table, Key: key, ConditionExpression: 'attribute_exists(PK)' } };
}
