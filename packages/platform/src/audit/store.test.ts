import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig } from '../../test/support/harness.js';
import type { UnitOfWork } from '../data/unit-of-work.js';
import { createPlatform, type Platform } from '../platform.js';
import type { AuditQuery, AuditRecord } from './record.js';
import type { AuditStore } from './store.js';
import { AUDIT_SHARDS, DynamoAuditStore } from './store.dynamo.js';

let store: AuditStore;
let platform: Platform;
let db: DynamoDBDocumentClient;
let table: string;

const uow = () => platform.unitOfWork({ kind: 'system', tenantId: 't_system', requestId: 'test' }, T0);

/** writes records in transactions of `chunk`, a few at a time */
async function append(records: AuditRecord[], chunk = 25): Promise<void> {
  const units: UnitOfWork[] = [];
  for (let i = 0; i < records.length; i += chunk) {
    const u = uow();
    for (const r of records.slice(i, i + chunk)) store.stage(u, r);
    units.push(u);
  }
  await Promise.all(units.map((u) => u.commit()));
}

const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
let serial = 0;
const record = (tenantId: string, at: string, o: Partial<AuditRecord> = {}): AuditRecord => ({
  auditId: idOf(++serial),
  tenantId,
  at,
  actor: 'u_admin',
  actorKind: 'user',
  action: 'doc.update',
  resource: `doc/${serial % 5}`,
  before: null,
  after: { n: serial },
  source: 'api',
  requestId: `req-${serial}`,
  ...o,
});
/** the store's order: newest first by (at, auditId) */
const newestFirst = (records: AuditRecord[]) =>
  [...records].sort((a, b) => {
    const ka = `${a.at}#${a.auditId}`;
    const kb = `${b.at}#${b.auditId}`;
    return ka < kb ? 1 : ka > kb ? -1 : 0;
  });
/** a time in month `ym` (YYYY-MM), spread by `n` */
const timeIn = (ym: string, n: number) => {
  const day = String(1 + ((n * 7) % 28)).padStart(2, '0');
  const minute = String((n * 13) % 60).padStart(2, '0');
  return `${ym}-${day}T${String(n % 24).padStart(2, '0')}:${minute}:00.000Z`;
};

const RANGE = { since: '2029-09-01T00:00:00.000Z', until: '2030-01-31T23:59:59.999Z' };

/** every page of a listing; each page but the last must be full */
async function walk(tenantId: string, q: Omit<AuditQuery, 'cursor'>, requireFull = true) {
  const all: AuditRecord[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const res = await store.list(tenantId, { ...q, cursor });
    all.push(...res.items);
    sizes.push(res.items.length);
    if (!res.nextCursor) return { all, sizes };
    if (requireFull) expect(res.items.length, `page ${page} is not the last, so it is full`).toBe(q.limit);
    cursor = res.nextCursor;
  }
  throw new Error('the walk did not end');
}

const MAIN: AuditRecord[] = [];

beforeAll(async () => {
  const made = await createTestTable('audit');
  db = made.db;
  table = made.table;
  store = new DynamoAuditStore(db, table);
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
  // 2030-01 and 2029-12 (across a year), nothing in 2029-11, then 2029-10; ties on purpose
  for (let n = 0; n < 26; n++) MAIN.push(record('t_main', timeIn('2030-01', n)));
  for (let n = 0; n < 22; n++) MAIN.push(record('t_main', timeIn('2029-12', n)));
  for (let n = 0; n < 14; n++) MAIN.push(record('t_main', timeIn('2029-10', n)));
  for (let n = 0; n < 4; n++) MAIN.push(record('t_main', '2030-01-20T10:00:00.000Z', { action: 'doc.create' }));
  MAIN.push(record('t_main', '2029-08-31T23:59:59.999Z')); // before `since`
  await append(MAIN);
  await append([record('t_neighbour', '2030-01-15T00:00:00.000Z'), record('t_neighbour', '2029-12-01T00:00:00.000Z')]);
});

const inRange = () => MAIN.filter((r) => r.at >= RANGE.since);

describe('audit store (DynamoDB): month buckets × shards, merged newest first', () => {
  it('records of a month are spread over all of its shards', async () => {
    for (const month of ['2030-01', '2029-12', '2029-10']) {
      const counts: number[] = [];
      for (let shard = 0; shard < AUDIT_SHARDS; shard++) {
        const res = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': `TENANT#t_main#AUDIT#${month}#${shard}` },
            Select: 'COUNT',
          }),
        );
        counts.push(res.Count ?? 0);
      }
      expect(
        counts.every((c) => c > 0),
        `${month}: ${counts.join(',')}`,
      ).toBe(true);
    }
  });

  for (const limit of [5, 200]) {
    it(`a cursor walk with limit ${limit} returns every record once, strictly newest first`, async () => {
      const { all } = await walk('t_main', { limit, ...RANGE });
      expect(all.map((r) => r.auditId)).toEqual(newestFirst(inRange()).map((r) => r.auditId));
      const keys = all.map((r) => `${r.at}#${r.auditId}`);
      for (let i = 1; i < keys.length; i++) expect(keys[i] < keys[i - 1]).toBe(true);
    });
  }

  it('returns the records as written, without key attributes', async () => {
    const { items } = await store.list('t_main', { limit: 1, ...RANGE });
    const newest = newestFirst(inRange())[0];
    expect(items[0]).toEqual(newest);
  });

  it('looks back only to `since`', async () => {
    const { all } = await walk('t_main', { limit: 10, since: '2029-12-01T00:00:00.000Z', until: RANGE.until });
    expect(all.map((r) => r.auditId)).toEqual(
      newestFirst(MAIN.filter((r) => r.at >= '2029-12-01')).map((r) => r.auditId),
    );
  });

  it('another tenant’s records never appear', async () => {
    const { all } = await walk('t_neighbour', { limit: 10, ...RANGE });
    expect(all.map((r) => r.tenantId)).toEqual(['t_neighbour', 't_neighbour']);
    expect((await walk('t_main', { limit: 200, ...RANGE })).all.some((r) => r.tenantId !== 't_main')).toBe(false);
  });

  it('resource and action filters return every match, newest first', async () => {
    const cases: Array<[{ resource?: string; action?: string }, number]> = [
      [{ resource: 'doc/3' }, 2],
      [{ action: 'doc.create' }, 3],
      [{ resource: 'doc/1', action: 'doc.update' }, 4],
      [{ resource: 'doc/none' }, 50],
    ];
    for (const [filter, limit] of cases) {
      const expected = newestFirst(
        inRange().filter(
          (r) =>
            (filter.resource === undefined || r.resource === filter.resource) &&
            (filter.action === undefined || r.action === filter.action),
        ),
      );
      const { all } = await walk('t_main', { limit, ...RANGE, ...filter }, false);
      expect(
        all.map((r) => r.auditId),
        `${JSON.stringify(filter)} limit ${limit}`,
      ).toEqual(expected.map((r) => r.auditId));
    }
  });

  it('a cursor from another tenant, a malformed or a tampered one → 400 INVALID_CURSOR', async () => {
    const page = await store.list('t_main', { limit: 3, ...RANGE });
    expect(page.nextCursor).not.toBeNull();
    await expect(
      store.list('t_neighbour', { limit: 3, ...RANGE, cursor: page.nextCursor ?? '' }),
    ).rejects.toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    const forge = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const cursor of ['!!!', forge(null), forge({ t: 't_main', m: 'January' }), forge({ t: 't_main' })]) {
      await expect(store.list('t_main', { limit: 3, ...RANGE, cursor })).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
  });

  it('is append-only: a record cannot be written twice', async () => {
    const once = record('t_append', '2030-01-10T00:00:00.000Z');
    await append([once]);
    await expect(append([{ ...once, action: 'rewritten' }])).rejects.toMatchObject({ status: 409 });
    expect((await store.list('t_append', { limit: 5, ...RANGE })).items).toEqual([once]);
  });

  it('a unit of work’s audit entry is recorded with its actor, time and request id', async () => {
    const u = platform.unitOfWork(
      {
        kind: 'principal',
        tenantId: 't_actor',
        requestId: 'req-actor-1',
        principalId: 'u_ann',
        principalKind: 'user',
        projectId: 'p_1',
      },
      Date.parse('2030-01-12T08:00:00.000Z'),
    );
    u.audit({ action: 'mode.put', resource: 'mode/lab', before: null, after: { v: 1 } });
    await u.commit();
    const [written] = (await store.list('t_actor', { limit: 5, ...RANGE })).items;
    expect(written).toMatchObject({
      tenantId: 't_actor',
      at: '2030-01-12T08:00:00.000Z',
      actor: 'u_ann',
      actorKind: 'user',
      action: 'mode.put',
      resource: 'mode/lab',
      before: null,
      after: { v: 1 },
      source: 'api',
      requestId: 'req-actor-1',
      projectId: 'p_1',
    });
  });
});

describe('a sparse filter over many non-matching records', () => {
  const matches: AuditRecord[] = [];

  beforeAll(async () => {
    const noise: AuditRecord[] = [];
    for (let n = 0; n < 120; n++) noise.push(record('t_sparse', timeIn('2030-01', n), { resource: 'noise/x' }));
    for (let n = 0; n < 80; n++) noise.push(record('t_sparse', timeIn('2029-12', n), { resource: 'noise/y' }));
    matches.push(
      record('t_sparse', '2030-01-28T23:59:00.000Z', { resource: 'needle/1' }),
      record('t_sparse', '2030-01-14T12:00:00.000Z', { resource: 'needle/1' }),
      record('t_sparse', '2029-12-01T00:00:00.000Z', { resource: 'needle/1' }),
      record('t_sparse', '2029-10-03T00:00:00.000Z', { resource: 'needle/1' }),
    );
    await append([...noise, ...matches]);
  });

  for (const limit of [3]) {
    it(`never skips a match (limit ${limit}); short pages hand on a cursor`, async () => {
      const { all } = await walk('t_sparse', { limit, ...RANGE, resource: 'needle/1' }, false);
      expect(all.map((r) => r.auditId)).toEqual(newestFirst(matches).map((r) => r.auditId));
    });
  }

  it('the action filter over the same noise finds nothing and ends', async () => {
    const { all } = await walk('t_sparse', { limit: 5, ...RANGE, action: 'never.happened' }, false);
    expect(all).toEqual([]);
  });
});
