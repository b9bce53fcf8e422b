import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig } from '../../test/support/harness.js';
import { createPlatform, type Platform } from '../platform.js';
import type { AuditRecord } from './record.js';
import { DynamoAuditStore } from './store.dynamo.js';

let store: DynamoAuditStore;
let platform: Platform;
let db: DynamoDBDocumentClient;

const record = (tenantId: string, n: number, at: string): AuditRecord => ({
  auditId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  tenantId,
  at,
  actor: 'u_admin',
  actorKind: 'user',
  action: 'doc.update',
  resource: `doc/${n}`,
  before: null,
  after: { n },
  source: 'api',
  requestId: `req-${n}`,
});
const key = (r: AuditRecord) => `${r.at}#${r.auditId}`;

beforeAll(async () => {
  const made = await createTestTable('audit-retention');
  db = made.db;
  store = new DynamoAuditStore(db, made.table);
  platform = createPlatform(testConfig(made.table), { db, logger: silentLogger(), now: () => T0 });
});

async function append(records: AuditRecord[]) {
  for (let i = 0; i < records.length; i += 25) {
    const uow = platform.unitOfWork({ kind: 'system', tenantId: 't_system', requestId: 'test' }, T0);
    for (const r of records.slice(i, i + 25)) store.stage(uow, r);
    await uow.commit();
  }
}

describe('audit retention reads and deletes', () => {
  it('reads a month oldest first across its shards, in batches, and deletes exactly what it is given', async () => {
    const feb = Array.from({ length: 30 }, (_, n) =>
      record('t_old', n, `2027-02-${String(1 + (n % 27)).padStart(2, '0')}T0${n % 10}:00:00.000Z`),
    );
    const mar = [record('t_old', 100, '2027-03-01T00:00:00.000Z')];
    const other = [record('t_other', 200, '2027-02-03T00:00:00.000Z')];
    await append([...feb, ...mar, ...other]);
    const sorted = [...feb].sort((a, b) => (key(a) < key(b) ? -1 : 1));

    const first = await store.oldestOfMonth('t_old', '2027-02', 12);
    expect(first.map(key)).toEqual(sorted.slice(0, 12).map(key));
    expect(first[0]).toEqual(sorted[0]);
    await store.remove(first);
    const rest = await store.oldestOfMonth('t_old', '2027-02', 100);
    expect(rest.map(key)).toEqual(sorted.slice(12).map(key));
    await store.remove(rest);
    await store.remove(rest); // again: absent records are no error
    expect(await store.oldestOfMonth('t_old', '2027-02', 100)).toEqual([]);
    // the next month and another tenant are untouched
    expect(await store.oldestOfMonth('t_old', '2027-03', 100)).toEqual(mar);
    expect(await store.oldestOfMonth('t_other', '2027-02', 100)).toEqual(other);
  });

  it('refuses a month that is not one', async () => {
    await expect(store.oldestOfMonth('t_old', '2027-2', 1)).rejects.toThrow('not a month');
  });
});
