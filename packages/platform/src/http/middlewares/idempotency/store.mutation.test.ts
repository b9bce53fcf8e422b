import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../../../../test/support/harness.js';
import type { IdempotencyClaim } from '../../pipeline.js';
import { DynamoIdempotencyStore } from './store.dynamo.js';

// Behaviours of the idempotency adapter the contract tests (store.test.ts) leave open, found by
// mutation testing: a response stored without body or headers, an empty redaction list, a record
// gone between the refused claim and its read, and DynamoDB failures that are not a condition.

let db: DynamoDBDocumentClient;
let table: string;
let store: DynamoIdempotencyStore;
let serial = 0;
const NOW = 1_900_000_000;
const claimOf = (): IdempotencyClaim => ({
  tenantId: 't_a',
  env: 'dev',
  principalKind: 'user',
  principalId: 'u_1',
  routeId: 'things.create',
  key: `mut-${++serial}`,
});

beforeAll(async () => {
  const made = await createTestTable('idem-mut');
  db = made.db;
  table = made.table;
  store = new DynamoIdempotencyStore(db, table);
});

type Send = DynamoDBDocumentClient['send'];
/** the table's client with `send` replaced; `real` reaches DynamoDB Local */
function clientWith(send: (command: Parameters<Send>[0], real: Send) => unknown): DynamoDBDocumentClient {
  const real: Send = db.send.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: Parameters<Send>[0]) => send(command, real);
    },
  });
}
const failing = (name: string) => {
  const error = Object.assign(new Error(name), { name });
  return {
    error,
    store: new DynamoIdempotencyStore(
      clientWith(() => Promise.reject(error)),
      table,
    ),
  };
};

async function own(c: IdempotencyClaim): Promise<string> {
  const outcome = await store.claim(c, 'h1', NOW);
  if (!outcome.claimed) throw new Error('expected the claim to succeed');
  return outcome.owner;
}

describe('idempotency store: what the contract tests leave open', () => {
  it('a response without body or headers is replayed with an empty body and no headers', async () => {
    const c = claimOf();
    expect(await store.complete(c, await own(c), { statusCode: 204 })).toBe(true);
    expect(await store.claim(c, 'h1', NOW + 1)).toStrictEqual({
      claimed: false,
      existing: { hash: 'h1', state: 'COMPLETED', response: { statusCode: 204, headers: {}, body: '' } },
    });
  });

  it('an empty list of redacted fields is not stored', async () => {
    const c = claimOf();
    const response = { statusCode: 201, headers: { Location: '/x' }, body: '{}', redacted: [] };
    expect(await store.complete(c, await own(c), response)).toBe(true);
    const item = (
      await db.send(
        new GetCommand({ TableName: table, Key: { PK: 'IDEM#t_a#dev#user#u_1', SK: `things.create#${c.key}` } }),
      )
    ).Item;
    expect(item?.response).toStrictEqual({ statusCode: 201, headers: { Location: '/x' }, body: '{}' });
    expect(item?.lockedUntil).toBeUndefined();
  });

  it('a claim refused by a record that is gone by the time it is read has nothing to replay', async () => {
    const conditionFailed = Object.assign(new Error('taken'), { name: 'ConditionalCheckFailedException' });
    const racing = new DynamoIdempotencyStore(
      clientWith((command, real) => (command instanceof GetCommand ? real(command) : Promise.reject(conditionFailed))),
      table,
    );
    expect(await racing.claim(claimOf(), 'h1', NOW)).toStrictEqual({ claimed: false, existing: undefined });
  });

  it('a DynamoDB failure other than a failed condition reaches the caller of claim, complete and release', async () => {
    const { error, store: broken } = failing('ProvisionedThroughputExceededException');
    // only the claim's write fails: its read would succeed, so the error must not be taken for a taken key
    const putFails = new DynamoIdempotencyStore(
      clientWith((command, real) => (command instanceof GetCommand ? real(command) : Promise.reject(error))),
      table,
    );
    await expect(putFails.claim(claimOf(), 'h1', NOW)).rejects.toBe(error);
    await expect(broken.claim(claimOf(), 'h1', NOW)).rejects.toBe(error);
    await expect(broken.complete(claimOf(), 'owner', { statusCode: 200 })).rejects.toBe(error);
    await expect(broken.release(claimOf(), 'owner')).rejects.toBe(error);
  });

  it('a release by someone who no longer owns the claim is quietly ignored', async () => {
    const { store: refused } = failing('ConditionalCheckFailedException');
    await expect(refused.release(claimOf(), 'owner')).resolves.toBeUndefined();
    expect(await refused.complete(claimOf(), 'owner', { statusCode: 200 })).toBe(false);
  });
});
