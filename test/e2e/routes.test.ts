import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ROUTES as ROUTES } from '../../packages/app/src/routes.js';
import { tierRank, TIERS } from '../../packages/platform/src/context/types.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
const tokens: Record<string, string> = {};
const P = { 'X-Project-Id': 'p_demo' };

beforeAll(async () => {
  t = await startRuntime();
  for (const u of ['u_observer', 'u_navigator', 'u_operator', 'u_sovereign', 'u_admin'])
    tokens[u] = await t.token(u, 't_demo');
  tokens.u_system = await t.token('u_system', 't_system');
});
afterAll(async () => {
  await t.stop();
});

/** A concrete path for a route, with plausible parameter values. */
function pathOf(path: string): string {
  const sample: Record<string, string> = {
    tenantId: 't_demo',
    userId: 'u_operator',
    env: 'dev',
    kind: 'data',
    mode: 'lab',
    keyId: 'k_AAAAAAAAAAAAAAAA',
    portfolioId: 'pf_AAAAAAAAAAAAAAAAAAAA',
  };
  return path.replace(/\{(\w+)\}/g, (_m, n: string) => sample[n] ?? 'x');
}

describe('every route in the table', () => {
  const guarded = ROUTES.filter((r) => r.access !== 'public' && r.access !== 'bootstrapKey');

  it.each(guarded.map((r) => [r.id, r] as const))('%s: no credentials → 401', async (_id, r) => {
    const res = await t.call(r.method, pathOf(r.path), { headers: P, body: r.request.body ? {} : undefined });
    expect(res.status).toBe(401);
  });

  it.each(guarded.filter((r) => r.minTier !== 'observer').map((r) => [r.id, r] as const))(
    '%s: below its minimum tier → 403',
    async (_id, r) => {
      const below = TIERS.filter((x) => tierRank(x) < tierRank(r.minTier));
      for (const tier of below) {
        const res = await t.call(r.method, pathOf(r.path), { token: tokens[`u_${tier}`], headers: P, body: {} });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('TIER_TOO_LOW');
      }
    },
  );

  it.each(
    guarded
      .filter((r) => r.roles.length && !r.roles.includes('trader') && r.access !== 'system')
      .map((r) => [r.id, r] as const),
  )('%s: a trader without the role → 403', async (_id, r) => {
    const res = await t.call(r.method, pathOf(r.path), {
      token: tokens.u_sovereign,
      headers: P,
      body: r.request.body ? {} : undefined,
    });
    expect(res.status).toBe(403);
  });

  it.each(ROUTES.filter((r) => r.access === 'system').map((r) => [r.id, r] as const))(
    '%s: a tenant admin is not a system admin → 403',
    async (_id, r) => {
      const res = await t.call(r.method, pathOf(r.path), {
        token: tokens.u_admin,
        headers: P,
        body: r.request.body ? {} : undefined,
      });
      expect(res.status).toBe(403);
    },
  );

  it.each(ROUTES.filter((r) => r.request.body).map((r) => [r.id, r] as const))(
    '%s: arbitrary JSON bodies never produce a 500',
    async (_id, r) => {
      const token = r.access === 'system' ? tokens.u_system : tokens.u_admin;
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
          const res = await t.call(r.method, pathOf(r.path), {
            token,
            headers: { ...P, 'Content-Type': 'application/json' },
            rawBody: JSON.stringify(body),
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
        }),
        { numRuns: 15, seed: 42 },
      );
    },
  );

  it('hostile path parameters and headers are 4xx, never 500', async () => {
    const weird = ['%00', '..%2F..', "'%20OR%201=1", 'A'.repeat(300), '%F0%9F%92%A3', 'TENANT%23t_acme'];
    for (const w of weird) {
      for (const p of ['/v1/portfolios/', '/v1/tenants/', '/v1/routing/t_demo/dev/', '/v1/api-keys/']) {
        const res = await t.call('GET', `${p}${w}`, { token: tokens.u_system, headers: P });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
    const h = await t.call('GET', '/v1/me', {
      token: tokens.u_admin,
      headers: { 'X-Project-Id': 'P_DEMO!', 'X-Tenant-Id': 't_demo' },
    });
    expect(h.status).toBe(400);
    const ht = await t.call('GET', '/v1/me', { token: tokens.u_admin, headers: { ...P, 'X-Tenant-Id': 'TENANT#x' } });
    expect(ht.status).toBe(400);
    const ct = await t.call('POST', '/v1/portfolios', {
      token: tokens.u_admin,
      headers: { ...P, 'Content-Type': 'text/plain' },
      rawBody: 'hi',
    });
    expect(ct.status).toBe(415);
    expect((await t.call('GET', '/v1/nowhere', { token: tokens.u_admin })).status).toBe(404);
    expect((await t.call('PUT', '/v1/portfolios', { token: tokens.u_admin })).status).toBe(405);
  });

  it('every error body is Problem Details without stack traces or credentials', async () => {
    const res = await t.call('GET', '/v1/portfolios', { token: `${tokens.u_admin}x`, headers: P });
    expect(res.status).toBe(401);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'requestId', 'status', 'title', 'type']);
    expect(res.text).not.toContain(tokens.u_admin.slice(20, 60));
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('X-Request-Id is echoed when sane, replaced when not', async () => {
    const a = await t.call('GET', '/v1/health', { headers: { 'X-Request-Id': 'client-req-12345' } });
    expect(a.headers.get('x-request-id')).toBe('client-req-12345');
    const b = await t.call('GET', '/v1/health', { headers: { 'X-Request-Id': 'bad id <script>' } });
    expect(b.headers.get('x-request-id')).not.toContain('<');
  });
});
