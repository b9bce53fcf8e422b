import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig } from '../../test/support/harness.js';
import type { UnitOfWork } from '../data/unit-of-work.js';
import { createPlatform, type Platform } from '../platform.js';
import type { AuditQuery, AuditRecord } from './record.js';
import { AUDIT_SHARDS, DynamoAuditStore } from './store.dynamo.js';

// Behaviours of the audit adapter the contract tests (store.test.ts) leave open, found by
// mutation testing: months of one digit, the bound on what one sparse page may read, and cursors
// forged with a month or resume point of the wrong shape.

let db: DynamoDBDocumentClient;
let table: string;
let store: DynamoAuditStore;
let platform: Platform;

const uow = () => platform.unitOfWork({ kind: 'system', tenantId: 't_system', requestId: 'test' }, T0);
async function append(records: AuditRecord[], chunk = 25): Promise<void> {
  const units: UnitOfWork[] = [];
  for (let i = 0; i < records.length; i += chunk) {
    const u = uow();
    for (const r of records.slice(i, i + chunk)) store.stage(u, r);
    units.push(u);
  }
  await Promise.all(units.map((u) => u.commit()));
}

let serial = 0;
const record = (tenantId: string, at: string, o: Partial<AuditRecord> = {}): AuditRecord => ({
  auditId: `00000000-0000-4000-9000-${String(++serial).padStart(12, '0')}`,
  tenantId,
  at,
  actor: 'u_admin',
  actorKind: 'user',
  action: 'doc.update',
  resource: 'doc/1',
  before: null,
  after: { n: serial },
  source: 'api',
  requestId: `req-${serial}`,
  ...o,
});

async function walk(tenantId: string, q: Omit<AuditQuery, 'cursor'>, s: DynamoAuditStore = store) {
  const pages: AuditRecord[][] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const res = await s.list(tenantId, { ...q, cursor });
    pages.push(res.items);
    if (!res.nextCursor) return pages;
    cursor = res.nextCursor;
  }
  throw new Error('the walk did not end');
}

/** the store's shard of a record id (store.dynamo.ts), to place records in one partition */
function shardOfId(auditId: string): number {
  let h = 0;
  for (let i = 0; i < auditId.length; i++) h = (h * 31 + auditId.charCodeAt(i)) | 0;
  return Math.abs(h) % AUDIT_SHARDS;
}

type Send = DynamoDBDocumentClient['send'];
/** the table's client, counting Query commands */
function countingClient(count: { queries: number }): DynamoDBDocumentClient {
  const real: Send = db.send.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: Parameters<Send>[0]) => {
        if (command instanceof QueryCommand) count.queries++;
        return real(command);
      };
    },
  });
}

beforeAll(async () => {
  const made = await createTestTable('audit-mut');
  db = made.db;
  table = made.table;
  store = new DynamoAuditStore(db, table);
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
});

describe('audit store: what the contract tests leave open', () => {
  it('a walk back through months of one digit (October → September → August) misses none', async () => {
    const written = [
      record('t_months', '2029-10-05T00:00:00.000Z'),
      record('t_months', '2029-09-30T23:00:00.000Z'),
      record('t_months', '2029-09-02T00:00:00.000Z'),
      record('t_months', '2029-08-15T00:00:00.000Z'),
    ];
    await append(written);
    const pages = await walk('t_months', {
      limit: 3,
      since: '2029-08-01T00:00:00.000Z',
      until: '2029-10-31T23:59:59.999Z',
    });
    expect(pages.flat().map((r) => r.at)).toEqual(written.map((r) => r.at));
  });

  it('a filter matching almost nothing stops a page at its bound of reads and hands on a cursor', async () => {
    // 90 non-matching records, all in shard 0 (the store's hash of the id): 3 of them read per round
    const noise: AuditRecord[] = [];
    while (noise.length < 90) {
      const r = record('t_bound', `2030-01-20T${String(noise.length % 24).padStart(2, '0')}:00:00.000Z`, {
        resource: 'noise/1',
      });
      if (shardOfId(r.auditId) === 0) noise.push(r);
    }
    const needle = record('t_bound', '2030-01-02T00:00:00.000Z', { resource: 'needle/1' });
    await append([...noise, needle]);
    const count = { queries: 0 };
    const counted = new DynamoAuditStore(countingClient(count), table);
    const q = { limit: 1, since: '2030-01-01T00:00:00.000Z', until: '2030-01-31T23:59:59.999Z', resource: 'needle/1' };
    const first = await counted.list('t_bound', q);
    // at most 24 rounds of 3 reads per shard (72 of the 90): this page ends short, before the needle
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    expect(count.queries).toBeLessThanOrEqual(24 * 3 * AUDIT_SHARDS);
    // … and hands on where it stopped: this month, below the noise read so far, above the needle
    const resume = JSON.parse(Buffer.from(first.nextCursor ?? '', 'base64url').toString('utf8'));
    expect(resume).toEqual({ t: 't_bound', m: '2030-01', b: expect.any(String) });
    expect(resume.b > `${needle.at}#${needle.auditId}`).toBe(true);
    expect(resume.b < '2030-01-20T23:59').toBe(true);
    // exactly 24 rounds of 3 reads: the page stopped at the 72nd newest record of the noise
    const newest = noise
      .map((r) => `${r.at}#${r.auditId}`)
      .sort()
      .reverse();
    expect(resume.b).toBe(newest[71]);
  });

  it('a cursor whose month is not YYYY-MM, or whose resume point is not a short string → 400', async () => {
    const forge = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const q = { limit: 3, since: '2029-01-01T00:00:00.000Z', until: '2030-01-31T23:59:59.999Z' };
    for (const bad of [
      { t: 't_months', m: 'x2029-10' },
      { t: 't_months', m: '2029-10x' },
      { t: 't_months', m: '2029-1' },
      { t: 't_months', m: '2029-10', b: 20291005 },
      { t: 't_months', m: '2029-10', b: 'x'.repeat(101) },
      { t: 't_months', m: ['2029-10'] },
      { t: 't_months', m: '2029-10', b: ['2029-10-31T00:00:00.000Z'] },
    ]) {
      await expect(store.list('t_months', { ...q, cursor: forge(bad) }), JSON.stringify(bad)).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
    // a resume point of the longest length allowed is taken
    const longest = { t: 't_months', m: '2029-10', b: `2029-10-31T00:00:00.000Z#${'f'.repeat(75)}` };
    expect((await store.list('t_months', { ...q, cursor: forge(longest) })).items.length).toBeGreaterThan(0);
    // and so is one without a resume point (a page that stopped before reading any record of its month)
    expect((await store.list('t_months', { ...q, cursor: forge({ t: 't_months', m: '2029-10' }) })).items.length).toBe(
      3,
    );
  });

  it('a shard that stopped higher than another is read on from there: its matches below are not skipped', async () => {
    // limit 1: each shard reads three records per round. Shard 0 stops at 08:00, shard 1 at 10:10;
    // the next round must go on below 10:10 (the highest stop), or shard 1's match at 09:30 is lost.
    const inShard = (shard: number, at: string, resource: string) => {
      for (;;) {
        const r = record('t_frontier', `2030-01-10T${at}:00.000Z`, { resource });
        if (shardOfId(r.auditId) === shard) return r;
      }
    };
    const shard0 = ['10:00', '09:00', '08:00', '07:00', '06:00'].map((at) => inShard(0, at, 'noise/1'));
    const shard1 = ['10:30', '10:20', '10:10', '09:20'].map((at) => inShard(1, at, 'noise/1'));
    const matches = [inShard(1, '09:30', 'doc/match'), inShard(0, '06:30', 'doc/match')];
    await append([...shard0, ...shard1, ...matches]);
    const q = {
      limit: 1,
      since: '2030-01-01T00:00:00.000Z',
      until: '2030-01-31T23:59:59.999Z',
      resource: 'doc/match',
    };
    expect((await walk('t_frontier', q)).flat().map((r) => r.at)).toEqual(matches.map((r) => r.at));
  });

  it('a page of no records is empty and the last one', async () => {
    const q = { limit: 0, since: '2029-08-01T00:00:00.000Z', until: '2029-10-31T23:59:59.999Z' };
    expect(await store.list('t_months', q)).toStrictEqual({ items: [], nextCursor: null });
  });

  it('a filter matching about half the records: every match once, newest first, whatever the page size', async () => {
    const written = Array.from({ length: 48 }, (_, n) =>
      record(
        't_half',
        `2030-01-${String(1 + (n % 28)).padStart(2, '0')}T${String(n % 24).padStart(2, '0')}:00:00.000Z`,
        {
          resource: n % 3 === 0 || n % 5 === 0 ? 'doc/match' : 'doc/other',
        },
      ),
    );
    await append(written);
    const expected = written
      .filter((r) => r.resource === 'doc/match')
      .map((r) => `${r.at}#${r.auditId}`)
      .sort()
      .reverse();
    const range = { since: '2030-01-01T00:00:00.000Z', until: '2030-01-31T23:59:59.999Z', resource: 'doc/match' };
    for (const limit of [2, 3, 7]) {
      const pages = await walk('t_half', { limit, ...range });
      expect(
        pages.flat().map((r) => `${r.at}#${r.auditId}`),
        `limit ${limit}`,
      ).toEqual(expected);
      for (const page of pages.slice(0, -1)) expect(page.length, `limit ${limit}`).toBe(limit);
    }
  });
});
