/**
 * Retention and archival (docs/operations.md): audit records and trading journal entries older than
 * their retention age move to S3 by `ops.archive-run` on the jobs spine, driven here by
 * POST /_local/tick on a clock this file moves, and are read back through /v1/archives.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleArchiveRuns } from '../../packages/app/src/ops/index.js';
import { newJournalId } from '../../packages/app/src/trading/ids.js';
import { DynamoTradingStore } from '../../packages/app/src/trading/index.js';
import { stageBlobStore } from '../../packages/platform/src/data/project-blobs.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
let clock = Date.parse('2027-01-10T10:00:00Z');
const P = { 'X-Project-Id': 'p_demo' };
const iso = (ms: number) => new Date(ms).toISOString();
let keySeq = 0;

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
afterAll(async () => {
  await t.stop();
});

/** tokens are minted on the clock of the moment (it jumps years) */
const as = (user: string, tenant: string) => t.token(user, tenant, '1h');
const admin = () => as('u_admin', 't_demo');
const get = async (path: string, token?: string, headers: Record<string, string> = {}) =>
  t.call('GET', path, { token: token ?? (await admin()), headers });

async function tick(at: number) {
  clock = at;
  const r = await t.call('POST', '/_local/tick', { body: { at: iso(at) } });
  expect(r.status, r.text).toBe(200);
  return r.body as { sent: Record<string, number>; delivered: Record<string, number>; failed: Record<string, number> };
}

/** every page of a list */
async function all(path: string, token?: string, headers: Record<string, string> = {}) {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(`${path}${sep}limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token, headers);
    expect(r.status, r.text).toBe(200);
    items.push(...(r.body.items ?? []));
    cursor = (r.body.nextCursor as string | null) ?? null;
  } while (cursor);
  return items;
}

/** audit records and journal entries of t_demo as DynamoDB holds them */
async function stored(table: string, pk: RegExp) {
  const res = await t.rt.platform.db.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return (res.Items ?? []).filter(
    (i) => pk.test(String(i.PK)) && (table !== t.rt.tables.pooled || /^JOURNAL#/.test(String(i.SK))),
  );
}
const auditPk = /^TENANT#t_demo#AUDIT#2027-/;
const journalPk = /^TENANT#t_demo#PROJECT#p_demo#TRADING$/;

async function auditedChange(name: string) {
  const token = await as('u_navigator', 't_demo');
  const r = await t.call('POST', '/v1/portfolios', {
    token,
    headers: { ...P, 'Idempotency-Key': `retention-${++keySeq}` },
    body: { name },
  });
  expect(r.status, r.text).toBe(201);
}

async function journalEntry(n: number) {
  const store = new DynamoTradingStore(t.rt.platform.db, t.rt.tables.pooled, {
    tenantId: 't_demo',
    projectId: 'p_demo',
  });
  const uow = t.rt.platform.unitOfWork({ kind: 'system', tenantId: 't_demo', requestId: `seed-${n}` }, clock);
  store.appendJournal(uow, {
    entryId: newJournalId(clock),
    accountId: 'ac_retention',
    orderId: `or_retention_${n}`,
    fillId: `fl_retention_${n}`,
    source: 'SIMULATION',
    symbol: 'AAPL',
    side: n % 2 ? 'sell' : 'buy',
    quantity: '3',
    price: `18${n}.25`,
    fee: '0.10',
    intent: 'allocation',
    ...(n % 2 ? { realisedPnl: '12.50' } : {}),
    at: iso(clock),
  });
  await uow.commit();
}

const schedule = (kind: 'audit' | 'journal', workId: string, payload: Record<string, unknown> = {}) =>
  t.rt.platform.due.scheduleMany([
    {
      job: 'ops.archive-run',
      tenantId: 't_demo',
      env: 'dev',
      workId,
      dueAt: iso(clock),
      payload: { kind, ...payload },
    },
  ]);

const byId = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
  String(a[key]).localeCompare(String(b[key]));

describe('retention and archival', () => {
  let auditBefore: Array<Record<string, unknown>>;
  let journalBefore: Array<Record<string, unknown>>;
  let auditIds: string[];

  it('archives old audit records and journal entries to S3, deletes them, and lists them by period', async () => {
    // records of February and March 2027 (and the seed's of January)
    clock = Date.parse('2027-02-05T09:00:00Z');
    for (let n = 0; n < 3; n++) await auditedChange(`Feb ${n}`);
    for (let n = 0; n < 4; n++) await journalEntry(n);
    clock = Date.parse('2027-03-20T09:00:00Z');
    for (let n = 0; n < 2; n++) await auditedChange(`Mar ${n}`);
    for (let n = 4; n < 7; n++) await journalEntry(n);

    // 2029-06: past 365 days for every 2027 audit month, past 730 days for the journal's months
    clock = Date.parse('2029-06-10T02:00:00Z');
    auditBefore = (await all('/v1/audit')).filter((r) => String(r.at) < '2028');
    journalBefore = await all('/v1/journal/entries', await as('u_navigator', 't_demo'), P);
    expect(auditBefore.length).toBeGreaterThanOrEqual(5);
    expect(journalBefore).toHaveLength(7);
    expect((await stored(t.rt.tables.control, auditPk)).length).toBe(auditBefore.length);

    // the daily chain, as a tenant's data routing entry starts it: both kinds due at 03:00 UTC
    const uow = t.rt.platform.unitOfWork({ kind: 'system', tenantId: 't_demo', requestId: 'chain' }, clock);
    scheduleArchiveRuns(t.rt.platform.due, uow, { tenantId: 't_demo', env: 'dev', atMs: clock });
    await uow.commit();
    expect((await tick(Date.parse('2029-06-10T02:59:00Z'))).delivered['ops.archive-run']).toBeUndefined();
    const run = await tick(Date.parse('2029-06-10T03:00:00Z'));
    expect(run.delivered['ops.archive-run'], JSON.stringify(run)).toBe(2);
    expect(run.failed['ops.archive-run'] ?? 0).toBe(0);

    // gone from DynamoDB
    expect(await stored(t.rt.tables.control, auditPk)).toHaveLength(0);
    expect(await stored(t.rt.tables.pooled, journalPk)).toHaveLength(0);
    expect(await all('/v1/journal/entries', await as('u_navigator', 't_demo'), P)).toHaveLength(0);
    expect((await all('/v1/audit')).filter((r) => String(r.at) < '2028')).toHaveLength(0);

    // listed by period: one archive per month that had records
    const audits = await all('/v1/archives?kind=audit');
    const months = audits.map((m) => String(m.from).slice(0, 7)).sort();
    expect(months).toEqual([...new Set(auditBefore.map((r) => String(r.at).slice(0, 7)))].sort());
    for (const m of audits) {
      expect(m).toMatchObject({ kind: 'audit', state: 'purged', part: 0 });
      expect(String(m.s3Key)).toMatch(/^tenants\/t_demo\/tenant\/archives\/audit\/2027-0\d\/0000\.jsonl\.gz$/);
      expect(String(m.sha256)).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(audits.reduce((n, m) => n + Number(m.count), 0)).toBe(auditBefore.length);
    const journals = await all('/v1/archives?kind=journal');
    expect(journals.map((m) => [String(m.from), m.count, m.projectId, m.env]).sort()).toEqual([
      ['2027-02-01T00:00:00.000Z', 4, 'p_demo', 'dev'],
      ['2027-03-01T00:00:00.000Z', 3, 'p_demo', 'dev'],
    ]);
    // only the periods overlapping [from, to)
    const march = await get('/v1/archives?kind=journal&from=2027-03-01T00:00:00Z&to=2027-04-01T00:00:00Z');
    expect(march.body.items?.map((m) => m.from)).toEqual(['2027-03-01T00:00:00.000Z']);
    const none = await get('/v1/archives?kind=audit&from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z');
    expect(none.body.items).toEqual([]);

    // the S3 object is gzip
    const object = await stageBlobStore(t.rt.platform.config).get(String(journals[0].s3Key));
    expect(object && [object[0], object[1]]).toEqual([0x1f, 0x8b]);

    // read back: exactly what was there, same count and content
    const auditBack: Array<Record<string, unknown>> = [];
    for (const m of audits) auditBack.push(...(await all(`/v1/archives/${m.archiveId}/records`)));
    expect(auditBack.sort(byId('auditId'))).toEqual([...auditBefore].sort(byId('auditId')));
    const journalBack: Array<Record<string, unknown>> = [];
    for (const m of journals) journalBack.push(...(await all(`/v1/archives/${m.archiveId}/records`)));
    expect(journalBack.sort(byId('entryId'))).toEqual([...journalBefore].sort(byId('entryId')));
    auditIds = audits.map((m) => String(m.archiveId));

    // the archiving is audited as the scheduler
    const purges = await get('/v1/audit?action=archive.purge');
    expect(purges.body.items).toHaveLength(audits.length + journals.length);
    expect(purges.body.items?.[0]).toMatchObject({ actorKind: 'scheduler', source: 'scheduler' });
  });

  it('a second run — the daily chain’s next, or a redelivered one — archives nothing twice', async () => {
    const before = await all('/v1/archives?kind=audit');
    // the chain booked the next day's runs at 03:00 UTC
    const next = await tick(Date.parse('2029-06-11T03:00:00Z'));
    expect(next.delivered['ops.archive-run']).toBe(2);
    expect(next.failed['ops.archive-run'] ?? 0).toBe(0);
    // a one-off run with an explicit cutoff, too
    await schedule('audit', 'manual-audit', { cutoff: iso(clock) });
    await schedule('journal', 'manual-journal', { retentionDays: 1 });
    const again = await tick(clock + 60_000);
    expect(again.delivered['ops.archive-run']).toBe(2);
    const after = await all('/v1/archives?kind=audit');
    // the first run's archives are unchanged; the explicit cutoff archived only newer months
    for (const m of before) expect(after).toContainEqual(m);
    expect(after.filter((m) => String(m.from) < '2028')).toHaveLength(before.length);
    expect((await all('/v1/archives?kind=journal')).length).toBe(2);
  });

  it('another tenant’s archive is 404, a member who is no admin 403, and bad input 400 naming the field', async () => {
    const system = await as('u_system', 't_system');
    const foreign = await get(`/v1/archives/${auditIds[0]}/records`, system);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('ARCHIVE_NOT_FOUND');
    expect((await get('/v1/archives?kind=audit', system)).body.items).toEqual([]);
    const unknown = await get('/v1/archives/ar_audit_202701_000000000000/records');
    expect(unknown.status).toBe(404);

    const navigator = await get('/v1/archives?kind=audit', await as('u_navigator', 't_demo'));
    expect(navigator.status).toBe(403);

    const bad: Array<[string, string]> = [
      ['/v1/archives', 'query.kind'],
      ['/v1/archives?kind=ledger', 'query.kind'],
      ['/v1/archives?kind=audit&from=yesterday', 'query.from'],
      ['/v1/archives?kind=audit&to=2027-13-01T00:00:00Z', 'query.to'],
      ['/v1/archives?kind=audit&from=2027-03-01T00:00:00Z&to=2027-02-01T00:00:00Z', 'query.to'],
      ['/v1/archives?kind=audit&limit=0', 'query.limit'],
      ['/v1/archives?kind=audit&cursor=bm9wZQ', 'query.cursor'],
      ['/v1/archives/not-an-id/records', 'params.archiveId'],
      [`/v1/archives/${auditIds[0]}/records?limit=500`, 'query.limit'],
      [`/v1/archives/${auditIds[0]}/records?cursor=bm9wZQ`, 'query.cursor'],
    ];
    for (const [path, field] of bad) {
      const r = await get(path);
      expect(r.status, `${path}: ${r.text}`).toBe(400);
      expect(
        r.body.errors?.map((e) => e.path),
        path,
      ).toContain(field);
    }
  });

  it('an archive whose object is gone answers 503 ARCHIVE_UNREADABLE, never 500', async () => {
    const [m] = await all('/v1/archives?kind=journal');
    await stageBlobStore(t.rt.platform.config).delete([String(m.s3Key)]);
    const r = await get(`/v1/archives/${m.archiveId}/records`);
    expect(r.status, r.text).toBe(503);
    expect(r.body.code).toBe('ARCHIVE_UNREADABLE');
  });
});
