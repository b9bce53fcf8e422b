import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

// Each test here fails when one scoping invariant is put back wrong in the source: the store's
// version condition, the project in a key, the principal in a rate counter or an idempotency
// record, the project and path parameters in an idempotency fingerprint, an API key's expiry.
// (Each was checked by putting the bug back; see bench/results/mutation.json "blindSpots".)

let t: TestRuntime;
// The one clock of the runtime, moved by the tests (rate windows, key expiry).
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
let admin: string;
let nav: string;
let op: string;
let sys: string;
const P = { 'X-Project-Id': 'p_demo' };
const P2 = { 'X-Project-Id': 'p_second' };

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  admin = await t.token('u_admin', 't_demo');
  nav = await t.token('u_navigator', 't_demo');
  op = await t.token('u_operator', 't_demo');
  sys = await t.token('u_system', 't_system');
  const p = await t.call('POST', '/v1/tenants/t_demo/projects', {
    token: admin,
    body: { projectId: 'p_second', name: 'Second project' },
  });
  expect(p.status).toBe(201);
});
afterAll(async () => {
  await t.stop();
});

/** Moves the clock to the start (+1 s) of the next minute: a fresh rate window for everyone. */
function nextMinute() {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function createPortfolio(token: string, headers: Record<string, string>, name: string) {
  const c = await t.call('POST', '/v1/portfolios', { token, headers, body: { name, cash: '10.00' } });
  expect(c.status).toBe(201);
  return String(c.body.portfolioId);
}

describe('If-Match is enforced by the database, not only by the handler’s pre-check', () => {
  // Two PATCHes at version 1. The first one's write is held until the second has read the
  // portfolio (still at 1) and passed the handler's check; then the first commits and the second
  // reaches the database with a stale version. Only the store's condition can refuse it.
  it('a stale write that passed the pre-check is refused with 412 and changes nothing', async () => {
    nextMinute();
    const id = await createPortfolio(nav, P, 'Raced');
    const firstHeld = deferred();
    const release = deferred();
    const firstDone = deferred();
    let writes = 0;
    const name = 'hold-first-portfolio-write';
    t.rt.platform.db.middlewareStack.add(
      (next) => async (args) => {
        const input = (args as { input?: Record<string, unknown> }).input ?? {};
        if (!('TransactItems' in input) || !JSON.stringify(input).includes(`PORTFOLIO#${id}`)) return next(args);
        writes++;
        if (writes === 1) {
          firstHeld.resolve();
          await release.promise;
          try {
            return await next(args);
          } finally {
            firstDone.resolve();
          }
        }
        release.resolve();
        await firstDone.promise;
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const a = t.call('PATCH', `/v1/portfolios/${id}`, {
        token: nav,
        headers: { ...P, 'If-Match': '"1"' },
        body: { cash: '6.00' },
      });
      await firstHeld.promise;
      const b = await t.call('PATCH', `/v1/portfolios/${id}`, {
        token: op,
        headers: { ...P, 'If-Match': '"1"' },
        body: { cash: '7.00' },
      });
      release.resolve(); // whatever happened to b, never leave a hanging
      expect(writes).toBe(2); // b passed the handler's pre-check and reached the database
      expect(b.status).toBe(412);
      expect(b.body.code).toBe('VERSION_MISMATCH');
      expect((await a).status).toBe(200);
    } finally {
      release.resolve();
      t.rt.platform.db.middlewareStack.remove(name);
    }
    const g = await t.call('GET', `/v1/portfolios/${id}`, { token: nav, headers: P });
    expect(g.body).toMatchObject({ version: 2, cash: '6.00' });
    expect(g.headers.get('etag')).toBe('"2"');
  });
});

describe('project isolation over HTTP (one tenant, two projects)', () => {
  it('a portfolio of p_demo is absent from p_second’s list, get, patch and delete — and the reverse', async () => {
    nextMinute();
    const inDemo = await createPortfolio(nav, P, 'Only in p_demo');
    const inSecond = await createPortfolio(nav, P2, 'Only in p_second');
    const second = await t.call('GET', '/v1/portfolios?limit=200', { token: nav, headers: P2 });
    expect(second.status).toBe(200);
    const secondIds = (second.body.items ?? []).map((p) => p.portfolioId);
    expect(secondIds).toContain(inSecond);
    expect(secondIds).not.toContain(inDemo);
    expect((second.body.items ?? []).every((p) => p.projectId === 'p_second')).toBe(true);
    const demo = await t.call('GET', '/v1/portfolios?limit=200', { token: nav, headers: P });
    const demoIds = (demo.body.items ?? []).map((p) => p.portfolioId);
    expect(demoIds).toContain(inDemo);
    expect(demoIds).not.toContain(inSecond);

    for (const [id, other] of [
      [inDemo, P2],
      [inSecond, P],
    ] as const) {
      const g = await t.call('GET', `/v1/portfolios/${id}`, { token: nav, headers: other });
      expect(g.status).toBe(404);
      expect(g.body.code).toBe('PORTFOLIO_NOT_FOUND');
      const p = await t.call('PATCH', `/v1/portfolios/${id}`, {
        token: nav,
        headers: { ...other, 'If-Match': '"1"' },
        body: { name: 'hijacked' },
      });
      expect(p.status).toBe(404);
      const d = await t.call('DELETE', `/v1/portfolios/${id}`, {
        token: nav,
        headers: { ...other, 'If-Match': '"1"' },
      });
      expect(d.status).toBe(404);
    }
    // both untouched in their own project
    const own = await t.call('GET', `/v1/portfolios/${inDemo}`, { token: nav, headers: P });
    expect(own.body).toMatchObject({ name: 'Only in p_demo', version: 1, projectId: 'p_demo' });
    const own2 = await t.call('GET', `/v1/portfolios/${inSecond}`, { token: nav, headers: P2 });
    expect(own2.body).toMatchObject({ name: 'Only in p_second', version: 1, projectId: 'p_second' });
  });
});

describe('per-principal rate limits over HTTP', () => {
  it('one principal exhausting its budget leaves another’s RateLimit-Remaining untouched', async () => {
    nextMinute();
    const obs = await t.token('u_observer', 't_demo');
    for (let i = 1; i <= 30; i++) {
      const r = await t.call('GET', '/v1/me', { token: obs, headers: P });
      expect(r.status, `request ${i}`).toBe(200);
    }
    const over = await t.call('GET', '/v1/me', { token: obs, headers: P });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('RATE_LIMITED');
    // another user of the same tenant: its first request of the window
    const other = await t.call('GET', '/v1/me', { token: nav, headers: P });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit-limit')).toBe('60');
    expect(other.headers.get('ratelimit-remaining')).toBe('59');
    // a machine principal of the same tenant has its own counter too
    const key = await t.call('POST', '/v1/api-keys', {
      token: admin,
      headers: P,
      body: { name: 'rate probe', tier: 'observer', roles: ['viewer'] },
    });
    expect(key.status).toBe(201);
    const byKey = await t.call('GET', '/v1/me', { apiKey: String(key.body.secret) });
    expect(byKey.status).toBe(200);
    expect(byKey.headers.get('ratelimit-remaining')).toBe('29');
    // and the exhausted one is still refused
    expect((await t.call('GET', '/v1/me', { token: obs, headers: P })).status).toBe(429);
  });
});

describe('idempotency keys over HTTP: scoped to the principal; the fingerprint covers project and path', () => {
  it('one key from two users: each gets a run of its own, neither sees the other’s response', async () => {
    nextMinute();
    const h = { ...P, 'Idempotency-Key': 'shared-key-two-users-01' };
    const body = { name: 'Same key, two users', cash: '3.00' };
    const a = await t.call('POST', '/v1/portfolios', { token: nav, headers: h, body });
    const b = await t.call('POST', '/v1/portfolios', { token: op, headers: h, body });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.portfolioId).not.toBe(a.body.portfolioId);
    // each user's own replay still works
    const a2 = await t.call('POST', '/v1/portfolios', { token: nav, headers: h, body });
    expect(a2.headers.get('idempotent-replayed')).toBe('true');
    expect(a2.body.portfolioId).toBe(a.body.portfolioId);
  });

  it('one key from one user in two projects → 422, never a replay of the other project’s portfolio', async () => {
    const body = { name: 'Same key, two projects', cash: '4.00' };
    const key = 'shared-key-two-projects-01';
    const a = await t.call('POST', '/v1/portfolios', { token: nav, headers: { ...P, 'Idempotency-Key': key }, body });
    expect(a.status).toBe(201);
    const b = await t.call('POST', '/v1/portfolios', { token: nav, headers: { ...P2, 'Idempotency-Key': key }, body });
    expect(b.status).toBe(422);
    expect(b.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(b.text).not.toContain(String(a.body.portfolioId));
  });

  it('one key for two path parameters (projects of two tenants, by a system admin) → 422', async () => {
    const t2 = await t.call('POST', '/v1/tenants', { token: sys, body: { tenantId: 't_idem_two', name: 'Two' } });
    expect(t2.status).toBe(201);
    const body = { projectId: 'p_same_body', name: 'Same body' };
    const key = 'shared-key-two-tenants-01';
    const a = await t.call('POST', '/v1/tenants/t_demo/projects', {
      token: sys,
      headers: { 'Idempotency-Key': key },
      body,
    });
    expect(a.status).toBe(201);
    expect(a.body.tenantId).toBe('t_demo');
    const b = await t.call('POST', '/v1/tenants/t_idem_two/projects', {
      token: sys,
      headers: { 'Idempotency-Key': key },
      body,
    });
    expect(b.status).toBe(422);
    expect(b.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const projects = await t.call('GET', '/v1/tenants/t_idem_two/projects', { token: sys });
    expect(projects.body.items ?? []).toEqual([]);
  });
});

describe('API key expiry on the injected clock', () => {
  it('a key works until its expiresAt and is refused from that instant on (401 API_KEY_EXPIRED)', async () => {
    nextMinute();
    const expiresAt = new Date(clock + 10 * 60_000).toISOString();
    const c = await t.call('POST', '/v1/api-keys', {
      token: admin,
      headers: P,
      body: { name: 'short lived', tier: 'navigator', roles: ['trader'], expiresAt },
    });
    expect(c.status).toBe(201);
    expect(c.body.expiresAt).toBe(expiresAt);
    const secret = String(c.body.secret);
    expect((await t.call('GET', '/v1/me', { apiKey: secret })).status).toBe(200);
    clock = Date.parse(expiresAt) - 1;
    expect((await t.call('GET', '/v1/me', { apiKey: secret })).status).toBe(200);
    clock = Date.parse(expiresAt);
    const at = await t.call('GET', '/v1/me', { apiKey: secret });
    expect(at.status).toBe(401);
    expect(at.body.code).toBe('API_KEY_EXPIRED');
    clock += 3_600_000;
    const later = await t.call('GET', '/v1/portfolios', { apiKey: secret });
    expect(later.status).toBe(401);
    expect(later.body.code).toBe('API_KEY_EXPIRED');
    expect(later.text).not.toContain(secret);
  });
});
