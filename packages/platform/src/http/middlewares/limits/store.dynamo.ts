import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateCounterStore } from './store.js';

const key = (tenantId: string, principalId: string, window: number) => ({
  PK: `RATE#${tenantId}#${principalId}`,
  SK: `W#${window}`,
});

/** Atomic counters (UpdateItem ADD) in the control table, removed by TTL after their window. */
export class DynamoRateCounterStore implements RateCounterStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async hit(tenantId: string, principalId: string, window: number, expiresAtSeconds: number): Promise<number> {
    const res = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(tenantId, principalId, window),
        UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAtSeconds },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(res.Attributes?.count ?? 1);
  }
}
