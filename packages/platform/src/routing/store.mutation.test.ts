import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../../test/support/harness.js';
import { DynamoRoutingStore } from './store.dynamo.js';

// Behaviours of the routing adapter the contract tests (store.test.ts) leave open, found by
// mutation testing: entries written before versions and timestamps existed, and a failing
// DescribeTable that is not a missing table.

let db: DynamoDBDocumentClient;
let table: string;
let store: DynamoRoutingStore;

beforeAll(async () => {
  const made = await createTestTable('routing-mut');
  db = made.db;
  table = made.table;
  store = new DynamoRoutingStore(db, table);
});

describe('routing store: what the contract tests leave open', () => {
  it('an entry written before versions and timestamps reads as version 1, updated at no time', async () => {
    const config = { kind: 'data', mode: 'pooled', tableName: 'old' };
    await db.send(new PutCommand({ TableName: table, Item: { PK: 'TENANT#t_old', SK: 'ROUTING#dev#data', config } }));
    expect(await store.get('t_old', 'dev', 'data')).toStrictEqual({
      tenantId: 't_old',
      env: 'dev',
      kind: 'data',
      config,
      version: 1,
      updatedAt: '',
    });
  });

  it('a DescribeTable failure other than a missing table is not taken for “no such table”', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    const failing = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return () => Promise.reject(denied);
      },
    });
    await expect(new DynamoRoutingStore(failing, table).tableExists(table)).rejects.toBe(denied);
  });
});
