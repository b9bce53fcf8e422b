import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
let nav: string;
let obs: string;
let acme: string;
let sys: string;
const P = { 'X-Project-Id': 'p_demo' };
const A = { 'X-Project-Id': 'p_acme' };

beforeAll(async () => {
  t = await startRuntime();
  nav = await t.token('u_navigator', 't_demo');
  obs = await t.token('u_observer', 't_demo');
  acme = await t.token('u_acme', 't_acme');
  sys = await t.token('u_system', 't_system');
});
afterAll(async () => {
  await t.stop();
});

async function scan(table: string) {
  const r = await t.rt.platform.db.send(new ScanCommand({ TableName: table }));
  return r.Items ?? [];
}

describe('portfolios', () => {
  it('create, read, list, update with If-Match, soft delete', async () => {
    const c = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'Growth', baseCurrency: 'EUR', cash: '1234.50', description: 'long term' },
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({
      name: 'Growth',
      baseCurrency: 'EUR',
      cash: '1234.50',
      version: 1,
      tenantId: 't_demo',
      projectId: 'p_demo',
    });
    expect(typeof c.body.cash).toBe('string');
    expect(c.headers.get('etag')).toBe('"1"');
    const id = String(c.body.portfolioId);

    const g = await t.call('GET', `/v1/portfolios/${id}`, { token: obs, headers: P });
    expect(g.status).toBe(200);
    expect(g.body.cash).toBe('1234.50');

    const noMatch = await t.call('PATCH', `/v1/portfolios/${id}`, { token: nav, headers: P, body: { cash: '10.00' } });
    expect(noMatch.status).toBe(428);
    const stale = await t.call('PATCH', `/v1/portfolios/${id}`, {
      token: nav,
      headers: { ...P, 'If-Match': '"7"' },
      body: { cash: '10.00' },
    });
    expect(stale.status).toBe(412);
    const u = await t.call('PATCH', `/v1/portfolios/${id}`, {
      token: nav,
      headers: { ...P, 'If-Match': '"1"' },
      body: { cash: '99.99', description: null },
    });
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ cash: '99.99', version: 2 });
    expect(u.body.description).toBeUndefined();

    const d = await t.call('DELETE', `/v1/portfolios/${id}`, { token: nav, headers: { ...P, 'If-Match': '"2"' } });
    expect(d.status).toBe(204);
    expect((await t.call('GET', `/v1/portfolios/${id}`, { token: nav, headers: P })).status).toBe(404);
    const list = await t.call('GET', '/v1/portfolios', { token: nav, headers: P });
    expect(list.body.items?.some((p) => p.portfolioId === id)).toBe(false);
    // soft delete: the record is still there, marked deleted
    const raw = (await scan(t.rt.tables.pooled)).find((i) => i.portfolioId === id);
    expect(raw?.deletedAt).toBeTruthy();
  });

  it('observers read but cannot write (tier) and validation lists each bad field', async () => {
    const r = await t.call('POST', '/v1/portfolios', { token: obs, headers: P, body: { name: 'x' } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('TIER_TOO_LOW');
    const bad = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: '', cash: 12.5, baseCurrency: 'usd', extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const paths = (bad.body.errors ?? []).map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.cash', 'body.baseCurrency']));
    expect(bad.text).toContain('extra');
    const neg = await t.call('POST', '/v1/portfolios', { token: nav, headers: P, body: { name: 'n', cash: '-1' } });
    expect(neg.status).toBe(400);
    const cents = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'n', cash: '10.505' },
    });
    expect(cents.status).toBe(400);
    expect(cents.body.errors?.[0]).toMatchObject({ path: 'body.cash' });
    const yen = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'n', baseCurrency: 'JPY', cash: '10.5' },
    });
    expect(yen.status).toBe(400);
    const unknown = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'n', baseCurrency: 'XYZ' },
    });
    expect(unknown.status).toBe(400);
    const canon = await t.call('POST', '/v1/portfolios', { token: nav, headers: P, body: { name: 'n', cash: '7.5' } });
    expect(canon.body.cash).toBe('7.50');
    const toYen = await t.call('PATCH', `/v1/portfolios/${String(canon.body.portfolioId)}`, {
      token: nav,
      headers: { ...P, 'If-Match': '"1"' },
      body: { baseCurrency: 'JPY' },
    });
    // A currency change that would rescale or reinterpret money is refused, cash sent or not
    // (the full rule: test/e2e/portfolio-lists.test.ts).
    expect(toYen.status).toBe(422);
    expect(toYen.body.code).toBe('CURRENCY_CHANGE_REFUSED');
    const toYenWithCash = await t.call('PATCH', `/v1/portfolios/${String(canon.body.portfolioId)}`, {
      token: nav,
      headers: { ...P, 'If-Match': '"1"' },
      body: { baseCurrency: 'JPY', cash: '1200' },
    });
    expect(toYenWithCash.status).toBe(422);
    expect(toYenWithCash.body.code).toBe('CURRENCY_CHANGE_REFUSED');
    const notJson = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: { ...P, 'Content-Type': 'application/json' },
      rawBody: '{"name":',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe('INVALID_JSON');
    const badId = await t.call('GET', '/v1/portfolios/..%2F..%2Fetc', { token: nav, headers: P });
    expect(badId.status).toBe(400);
  });

  // Missing project → PROJECT_REQUIRED; another tenant’s project → PROJECT_UNKNOWN;
  // a body naming another project or tenant → CONTEXT_MISMATCH.
  it('project context: PROJECT_REQUIRED, PROJECT_UNKNOWN and CONTEXT_MISMATCH', async () => {
    const r1 = await t.call('GET', '/v1/portfolios', { token: nav });
    expect(r1.status).toBe(400);
    expect(r1.body.code).toBe('PROJECT_REQUIRED');
    const r2 = await t.call('GET', '/v1/portfolios', { token: nav, headers: { 'X-Project-Id': 'p_acme' } });
    expect(r2.status).toBe(400);
    expect(r2.body.code).toBe('PROJECT_UNKNOWN');
    const r3 = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'x', tenantId: 't_acme' },
    });
    expect(r3.status).toBe(400);
    expect(r3.body.code).toBe('CONTEXT_MISMATCH');
    const r4 = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'x', projectId: 'p_other' },
    });
    expect(r4.body.code).toBe('CONTEXT_MISMATCH');
    const r5 = await t.call('GET', '/v1/portfolios', { token: nav, headers: { ...P, 'X-Env': 'moon' } });
    expect(r5.status).toBe(400);
    expect(r5.body.code).toBe('INVALID_ENV');
    const r6 = await t.call('GET', '/v1/me', { token: nav, headers: { ...P, 'X-Env': ' DEVELOPMENT ' } });
    expect(r6.body.env).toBe('dev');
  });

  it('a silo tenant’s portfolio lands in its silo table and nowhere else', async () => {
    const c = await t.call('POST', '/v1/portfolios', {
      token: acme,
      headers: A,
      body: { name: 'Acme book', cash: '1000000.00' },
    });
    expect(c.status).toBe(201);
    const id = c.body.portfolioId;
    const silo = await scan(t.rt.tables.silo);
    const pooled = await scan(t.rt.tables.pooled);
    const control = await scan(t.rt.tables.control);
    expect(silo.filter((i) => i.portfolioId === id)).toHaveLength(1);
    expect(pooled.filter((i) => i.portfolioId === id)).toHaveLength(0);
    expect(control.filter((i) => i.portfolioId === id && i.PK !== 'TENANT#t_acme#AUDIT')).toHaveLength(0);
    expect(silo[0].PK).toMatch(/^TENANT#t_acme#/);
    // and t_demo’s data never lands in the silo
    expect(silo.every((i) => String(i.PK).startsWith('TENANT#t_acme#'))).toBe(true);
  });

  it('an idempotent replay returns the first response; another body with the same key → 422', async () => {
    const h = { ...P, 'Idempotency-Key': 'create-portfolio-0001' };
    const first = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: h,
      body: { name: 'Once', cash: '1.00' },
    });
    expect(first.status).toBe(201);
    const again = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: h,
      body: { name: 'Once', cash: '1.00' },
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.portfolioId).toBe(first.body.portfolioId);
    const list = await t.call('GET', '/v1/portfolios?limit=200', { token: nav, headers: P });
    expect(list.body.items?.filter((p) => p.name === 'Once')).toHaveLength(1);
    const reused = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: h,
      body: { name: 'Twice', cash: '1.00' },
    });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const badKey = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: { ...P, 'Idempotency-Key': 'x' },
      body: { name: 'k' },
    });
    expect(badKey.status).toBe(400);
  });

  // One request runs; the other gets a 409 or a replay of the first response.
  it('concurrent identical idempotent requests never create two portfolios', async () => {
    const h = { ...P, 'Idempotency-Key': 'concurrent-key-0001' };
    const rs = await Promise.all(
      [1, 2, 3].map(() =>
        t.call('POST', '/v1/portfolios', { token: nav, headers: h, body: { name: 'Race', cash: '2.00' } }),
      ),
    );
    const statuses = rs.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const ids = new Set(rs.filter((r) => r.status === 201).map((r) => r.body.portfolioId));
    expect(ids.size).toBe(1);
  });

  it('concurrent updates with the same If-Match: exactly one wins, the other gets 412', async () => {
    const c = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'Contended', cash: '5.00' },
    });
    const id = String(c.body.portfolioId);
    const [a, b] = await Promise.all([
      t.call('PATCH', `/v1/portfolios/${id}`, {
        token: nav,
        headers: { ...P, 'If-Match': '"1"' },
        body: { cash: '6.00' },
      }),
      t.call('PATCH', `/v1/portfolios/${id}`, {
        token: nav,
        headers: { ...P, 'If-Match': '"1"' },
        body: { cash: '7.00' },
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const g = await t.call('GET', `/v1/portfolios/${id}`, { token: nav, headers: P });
    expect(g.body.version).toBe(2);
    expect(g.body.cash).toBe(a.status === 200 ? '6.00' : '7.00');
  });

  it('lists paginate with an opaque cursor that cannot be pointed at another list', async () => {
    for (let i = 0; i < 5; i++)
      await t.call('POST', '/v1/portfolios', {
        token: await t.token('u_sovereign', 't_demo'),
        headers: P,
        body: { name: `Page ${i}` },
      });
    const seen = new Set<unknown>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Awaited<ReturnType<TestRuntime['call']>> = await t.call(
        'GET',
        `/v1/portfolios?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: nav, headers: P },
      );
      expect(r.status).toBe(200);
      expect((r.body.items ?? []).length).toBeLessThanOrEqual(2);
      for (const it of r.body.items ?? []) seen.add(it.portfolioId);
      cursor = r.body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 50);
    expect(seen.size).toBeGreaterThanOrEqual(5);
    const forged = Buffer.from(
      JSON.stringify({ PK: 'TENANT#t_acme#PROJECT#p_acme#PORTFOLIOS', SK: 'PORTFOLIO#x' }),
    ).toString('base64url');
    const r = await t.call('GET', `/v1/portfolios?cursor=${forged}`, { token: nav, headers: P });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('INVALID_CURSOR');
    expect((await t.call('GET', '/v1/portfolios?limit=500', { token: nav, headers: P })).status).toBe(400);
    expect((await t.call('GET', '/v1/portfolios?bogus=1', { token: nav, headers: P })).status).toBe(400);
  });

  it('routing entry removed → 503 ROUTING_NOT_CONFIGURED naming the kind; restored → works', async () => {
    const before = await t.call('GET', '/v1/routing/t_demo/dev/data', { token: sys });
    expect(before.status).toBe(200);
    const ifMatch = { 'If-Match': String(before.headers.get('etag')) };
    expect((await t.call('DELETE', '/v1/routing/t_demo/dev/data', { token: sys, headers: ifMatch })).status).toBe(204);
    const r = await t.call('GET', '/v1/portfolios', { token: nav, headers: P });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('ROUTING_NOT_CONFIGURED');
    expect(String(r.body.detail)).toContain("'data'");
    const put = await t.call('PUT', '/v1/routing/t_demo/dev/data', { token: sys, body: before.body.config });
    expect(put.status).toBe(201);
    expect((await t.call('GET', '/v1/portfolios', { token: nav, headers: P })).status).toBe(200);
  });

  it('every mutation wrote an audit record with who, what, before/after, source and request id', async () => {
    // Self-contained: the mutations it checks are made here, not by the tests before it.
    const admin = await t.token('u_admin', 't_demo');
    const c = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: P,
      body: { name: 'Audited', cash: '1.00' },
    });
    expect(c.status).toBe(201);
    const id = String(c.body.portfolioId);
    const u = await t.call('PATCH', `/v1/portfolios/${id}`, {
      token: nav,
      headers: { ...P, 'If-Match': '"1"' },
      body: { cash: '2.00' },
    });
    expect(u.status).toBe(200);
    // acme writes too, so the tenant scope of the log below is put to the test
    expect(
      (await t.call('POST', '/v1/portfolios', { token: acme, headers: A, body: { name: 'Acme audited' } })).status,
    ).toBe(201);
    const r = await t.call('GET', '/v1/audit?limit=200', { token: admin });
    expect(r.status).toBe(200);
    const items = r.body.items ?? [];
    const update = items.find((i) => i.action === 'portfolio.update' && i.resource === `portfolio/${id}`);
    expect(update).toMatchObject({ actor: 'u_navigator', actorKind: 'user', source: 'api', tenantId: 't_demo' });
    expect(update?.before).toMatchObject({ portfolioId: id, cash: '1.00', version: 1 });
    expect(update?.after).toMatchObject({ portfolioId: id, cash: '2.00', version: 2 });
    expect(update?.requestId).toBe(u.headers.get('x-request-id'));
    const create = items.find((i) => i.action === 'portfolio.create' && i.resource === `portfolio/${id}`);
    expect(create).toMatchObject({ actor: 'u_navigator', before: null, after: { portfolioId: id, version: 1 } });
    expect(create?.requestId).toBe(c.headers.get('x-request-id'));
    const ats = items.map((i) => String(i.at));
    expect([...ats].sort().reverse()).toEqual(ats);
    // audit is tenant-scoped: acme's records are not in demo's log
    expect(items.some((i) => i.tenantId !== 't_demo')).toBe(false);
    expect((await t.call('GET', '/v1/audit', { token: nav })).status).toBe(403);
  });
});
