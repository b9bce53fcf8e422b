import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

// Cross-tenant isolation between TWO POOLED tenants: t_demo (seeded) and t_pool, created here
// through the API by the system admin, with its data routing entry pointing at the same pooled
// table and a project of the same id (p_demo). Nothing but the tenant in each key and the
// tenant checks of the pipeline and the handlers keeps them apart — a silo tenant would be kept
// apart by its table even with a key missing its tenant.

let t: TestRuntime;
let sys: string;
const P = { 'X-Project-Id': 'p_demo' };

interface Side {
  tenantId: string;
  admin: string;
  adminId: string;
  trader: string;
  traderId: string;
  portfolioId: string;
  portfolioName: string;
  keyId: string;
  keySecret: string;
}
const sides: Record<'demo' | 'pool', Side> = {
  demo: { tenantId: 't_demo', adminId: 'u_admin', traderId: 'u_operator' } as Side,
  pool: { tenantId: 't_pool', adminId: 'u_pool_admin', traderId: 'u_pool_trader' } as Side,
};

function expectOk(r: CallResult, status: number) {
  expect(r.status, r.text).toBe(status);
  return r;
}

beforeAll(async () => {
  t = await startRuntime();
  sys = await t.token('u_system', 't_system');
  expectOk(
    await t.call('POST', '/v1/tenants', { token: sys, body: { tenantId: 't_pool', name: 'Second pooled' } }),
    201,
  );
  expectOk(
    await t.call('PUT', '/v1/routing/t_pool/dev/data', {
      token: sys,
      body: { kind: 'data', mode: 'pooled', tableName: t.rt.tables.pooled },
    }),
    201,
  );
  expectOk(
    await t.call('POST', '/v1/tenants/t_pool/projects', {
      token: sys,
      body: { projectId: 'p_demo', name: 'Same project id as t_demo’s' },
    }),
    201,
  );
  for (const [userId, roles, tier] of [
    ['u_pool_admin', ['admin'], 'sovereign'],
    ['u_pool_trader', ['trader'], 'operator'],
  ] as const) {
    expectOk(await t.call('PUT', `/v1/tenants/t_pool/members/${userId}`, { token: sys, body: { roles, tier } }), 201);
  }
  for (const side of Object.values(sides)) {
    side.admin = await t.token(side.adminId, side.tenantId);
    side.trader = await t.token(side.traderId, side.tenantId);
    side.portfolioName = `Book of ${side.tenantId}`;
    const c = expectOk(
      await t.call('POST', '/v1/portfolios', {
        token: side.trader,
        headers: P,
        body: { name: side.portfolioName, cash: '1000.00' },
      }),
      201,
    );
    side.portfolioId = String(c.body.portfolioId);
    const k = expectOk(
      await t.call('POST', '/v1/api-keys', {
        token: side.admin,
        headers: P,
        body: { name: `key of ${side.tenantId}`, tier: 'navigator', roles: ['trader'] },
      }),
      201,
    );
    side.keyId = String(k.body.keyId);
    side.keySecret = String(k.body.secret);
  }
});
afterAll(async () => {
  await t.stop();
});

/** Nothing of `other` in an answer to `me` (but the id `me` asked for, which a 404 may echo). */
function expectNothingOf(r: CallResult, other: Side, asked?: string) {
  if (asked !== other.portfolioId) expect(r.text).not.toContain(other.portfolioId);
  expect(r.text).not.toContain(other.portfolioName);
  expect(r.text).not.toContain(other.keyId);
}

describe('two pooled tenants in one table', () => {
  it('both live in the same pooled table, each item under its own tenant’s keys', async () => {
    const items = (await t.rt.platform.db.send(new ScanCommand({ TableName: t.rt.tables.pooled }))).Items ?? [];
    for (const side of Object.values(sides)) {
      const mine = items.filter((i) => i.portfolioId === side.portfolioId);
      expect(mine).toHaveLength(1);
      expect(String(mine[0].PK).startsWith(`TENANT#${side.tenantId}#`)).toBe(true);
    }
  });

  describe.each([
    ['demo', 'pool'],
    ['pool', 'demo'],
  ] as const)('%s reaching for %s', (meName, otherName) => {
    const me = () => sides[meName];
    const other = () => sides[otherName];

    it('portfolios: list shows only its own; get, patch and delete of the other’s id → 404', async () => {
      const list = expectOk(await t.call('GET', '/v1/portfolios?limit=200', { token: me().trader, headers: P }), 200);
      const ids = (list.body.items ?? []).map((p) => p.portfolioId);
      expect(ids).toContain(me().portfolioId);
      expect((list.body.items ?? []).every((p) => p.tenantId === me().tenantId)).toBe(true);
      expectNothingOf(list, other());
      const id = other().portfolioId;
      const g = await t.call('GET', `/v1/portfolios/${id}`, { token: me().trader, headers: P });
      expect(g.status).toBe(404);
      expect(g.body.code).toBe('PORTFOLIO_NOT_FOUND');
      expectNothingOf(g, other(), id);
      const p = await t.call('PATCH', `/v1/portfolios/${id}`, {
        token: me().trader,
        headers: { ...P, 'If-Match': '"1"' },
        body: { name: 'taken over' },
      });
      expect(p.status).toBe(404);
      const d = await t.call('DELETE', `/v1/portfolios/${id}`, {
        token: me().trader,
        headers: { ...P, 'If-Match': '"1"' },
      });
      expect(d.status).toBe(404);
      // the other's portfolio is untouched
      const still = await t.call('GET', `/v1/portfolios/${id}`, { token: other().trader, headers: P });
      expect(still.body).toMatchObject({ name: other().portfolioName, version: 1, tenantId: other().tenantId });
    });

    it('API keys: the other’s key is not listed, not readable, not revocable (404), and keeps working', async () => {
      const l = expectOk(await t.call('GET', '/v1/api-keys?limit=200', { token: me().admin }), 200);
      expect((l.body.items ?? []).map((k) => k.keyId)).toContain(me().keyId);
      expectNothingOf(l, other());
      const g = await t.call('GET', `/v1/api-keys/${other().keyId}`, { token: me().admin });
      expect(g.status).toBe(404);
      expect(g.body.code).toBe('API_KEY_NOT_FOUND');
      expect(g.text).not.toContain(other().tenantId);
      const d = await t.call('DELETE', `/v1/api-keys/${other().keyId}`, {
        token: me().admin,
        headers: { 'If-Match': '"1"' },
      });
      expect(d.status).toBe(404);
      expect(d.body.code).toBe('API_KEY_NOT_FOUND');
      const used = expectOk(await t.call('GET', '/v1/me', { apiKey: other().keySecret }), 200);
      expect(used.body.tenantId).toBe(other().tenantId);
      // the other's key names its own tenant, never mine
      const withMine = await t.call('GET', '/v1/portfolios', {
        apiKey: other().keySecret,
        headers: { 'X-Tenant-Id': me().tenantId },
      });
      expect(withMine.status).toBe(403);
      expect(withMine.body.code).toBe('TENANT_MISMATCH');
    });

    it('members, tenant and projects of the other tenant named in the path → 400 CONTEXT_MISMATCH', async () => {
      const o = other().tenantId;
      const tries: Array<[string, string, unknown?]> = [
        ['GET', `/v1/tenants/${o}/members`],
        ['GET', `/v1/tenants/${o}/members/${other().adminId}`],
        ['PUT', `/v1/tenants/${o}/members/${me().adminId}`, { roles: ['admin'], tier: 'sovereign' }],
        ['DELETE', `/v1/tenants/${o}/members/${other().adminId}`],
        ['GET', `/v1/tenants/${o}`],
        ['PATCH', `/v1/tenants/${o}`, { name: 'renamed by a neighbour' }],
        ['GET', `/v1/tenants/${o}/projects`],
        ['GET', `/v1/tenants/${o}/projects/p_demo`],
        ['POST', `/v1/tenants/${o}/projects`, { projectId: 'p_planted', name: 'planted' }],
      ];
      for (const [method, path, body] of tries) {
        // If-Match too, so that no precondition refusal could stand in for the tenant check
        const headers: Record<string, string> = method === 'GET' ? {} : { 'If-Match': '"1"' };
        const r = await t.call(method, path, { token: me().admin, headers, body });
        expect(r.status, `${method} ${path}`).toBe(400);
        expect(r.body.code, `${method} ${path}`).toBe('CONTEXT_MISMATCH');
        expectNothingOf(r, other());
      }
      // nothing changed on the other side
      const members = expectOk(
        await t.call('GET', `/v1/tenants/${o}/members?limit=200`, { token: other().admin }),
        200,
      );
      const ids = (members.body.items ?? []).map((m) => m.userId);
      expect(ids).toContain(other().adminId);
      expect(ids).not.toContain(me().adminId);
      const tenant = expectOk(await t.call('GET', `/v1/tenants/${o}`, { token: other().admin }), 200);
      expect(tenant.body.name).not.toBe('renamed by a neighbour');
      const projects = expectOk(await t.call('GET', `/v1/tenants/${o}/projects`, { token: other().admin }), 200);
      expect((projects.body.items ?? []).map((p) => p.projectId)).toEqual(['p_demo']);
    });

    it('claiming the other tenant: X-Tenant-Id → 403 TENANT_MISMATCH; its token → 403 NOT_A_MEMBER', async () => {
      const header = { ...P, 'X-Tenant-Id': other().tenantId };
      for (const [method, path] of [
        ['GET', '/v1/portfolios'],
        ['GET', `/v1/portfolios/${other().portfolioId}`],
        ['GET', '/v1/audit'],
        ['GET', '/v1/api-keys'],
        ['GET', `/v1/tenants/${other().tenantId}/members`],
      ] as const) {
        const r = await t.call(method, path, { token: me().admin, headers: header });
        expect(r.status, `${method} ${path}`).toBe(403);
        expect(r.body.code).toBe('TENANT_MISMATCH');
        expectNothingOf(r, other());
        // a token whose tenant claim is the other tenant: its user is no member there
        const forged = await t.token(me().adminId, other().tenantId);
        const f = await t.call(method, path, { token: forged, headers: P });
        expect(f.status, `${method} ${path}`).toBe(403);
        expect(f.body.code).toBe('NOT_A_MEMBER');
        expectNothingOf(f, other());
      }
    });

    it('audit: only its own records, and none about the other’s resources', async () => {
      const r = expectOk(await t.call('GET', '/v1/audit?limit=200', { token: me().admin }), 200);
      const items = r.body.items ?? [];
      expect(items.some((i) => i.resource === `portfolio/${me().portfolioId}`)).toBe(true);
      expect(items.every((i) => i.tenantId === me().tenantId)).toBe(true);
      expectNothingOf(r, other());
      const one = expectOk(
        await t.call('GET', `/v1/audit?resource=portfolio/${other().portfolioId}`, { token: me().admin }),
        200,
      );
      expect(one.body.items).toEqual([]);
      const keyAudit = expectOk(
        await t.call('GET', `/v1/audit?resource=apiKey/${other().keyId}`, { token: me().admin }),
        200,
      );
      expect(keyAudit.body.items).toEqual([]);
    });
  });
});
