import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createPlatform, type Platform } from '@ballast/platform/platform.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../../platform/test/support/harness.js';
import { DynamoPortfolioStore } from './store.dynamo.js';

// The key layout of the portfolio adapter, found open by mutation testing: items written under
// another sort key would be invisible to data already stored (and to a migration).

const AT = new Date(T0).toISOString();
let db: DynamoDBDocumentClient;
let table: string;
let platform: Platform;

beforeAll(async () => {
  const made = await createTestTable('portfolio-mut');
  db = made.db;
  table = made.table;
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
});

const { commit } = unitsOfWork(() => platform);

describe('portfolio store: key layout', () => {
  it('a portfolio lives in its tenant’s and project’s partition, under PORTFOLIO#<id>', async () => {
    const scope = { tenantId: 't_keys', projectId: 'p_main' };
    const portfolio = {
      portfolioId: 'pf_key',
      ...scope,
      name: 'k',
      baseCurrency: 'EUR',
      cash: '1.00',
      createdAt: AT,
      updatedAt: AT,
      version: 1,
    };
    await commit((u) => new DynamoPortfolioStore(db, table, scope).create(u, portfolio));
    const key = { PK: 'TENANT#t_keys#PROJECT#p_main#PORTFOLIOS', SK: 'PORTFOLIO#pf_key' };
    expect((await db.send(new GetCommand({ TableName: table, Key: key }))).Item).toEqual({ ...portfolio, ...key });
  });
});
