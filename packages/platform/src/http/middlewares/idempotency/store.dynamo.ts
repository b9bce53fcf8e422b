import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { CommitGuard } from '../../../data/unit-of-work.js';
import type { IdempotencyClaim } from '../../pipeline.js';
import type { ClaimOutcome, IdempotencyStore, StoredResponse } from './store.js';

/** Keys expire after 24 h (SPEC §3). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** An in-progress claim older than this is considered abandoned (a crashed invocation). */
export const IDEMPOTENCY_LOCK_SECONDS = 60;

const key = (c: IdempotencyClaim) => ({
  // the kind keeps a user whose id reads `apikey:k_…` apart from that key; the id comes last, so
  // whatever it holds cannot reach into another segment
  PK: `IDEM#${c.tenantId}#${c.env}#${c.principalKind}#${c.principalId}`,
  SK: `${c.routeId}#${c.key}`,
});

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(claim: IdempotencyClaim, hash: string, nowSeconds: number): Promise<ClaimOutcome> {
    const owner = randomUUID();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key(claim),
            hash,
            owner,
            state: 'IN_PROGRESS',
            lockedUntil: nowSeconds + IDEMPOTENCY_LOCK_SECONDS,
            ttl: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
          },
          ConditionExpression:
            'attribute_not_exists(PK) OR #ttl < :now OR (#state = :inProgress AND lockedUntil < :now)',
          ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':inProgress': 'IN_PROGRESS' },
        }),
      );
      return { claimed: true, owner };
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: key(claim), ConsistentRead: true }));
    const item = res.Item;
    return {
      claimed: false,
      existing: item
        ? {
            hash: String(item.hash),
            state: item.state === 'COMPLETED' ? 'COMPLETED' : 'IN_PROGRESS',
            response: item.response as StoredResponse | undefined,
          }
        : undefined,
    };
  }

  async complete(claim: IdempotencyClaim, owner: string, response: StoredResponse): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(claim),
          UpdateExpression: 'SET #state = :done, #response = :response REMOVE lockedUntil',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':done': 'COMPLETED',
            ':owner': owner,
            ':response': {
              statusCode: response.statusCode,
              headers: response.headers ?? {},
              body: response.body ?? '',
              ...(response.redacted?.length ? { redacted: response.redacted } : {}),
            },
          },
        }),
      );
      return true;
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  commitGuard(claim: IdempotencyClaim, nowSeconds: number): CommitGuard {
    const { PK, SK } = key(claim);
    return {
      table: this.table,
      key: (sequence) => ({ PK, SK: `${SK}#COMMIT#${sequence}` }),
      sequence: { next: 0 },
      nowSeconds,
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
    };
  }

  async release(claim: IdempotencyClaim, owner: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key(claim),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  }
}
