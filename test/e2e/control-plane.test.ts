import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
let sys: string;
let admin: string;
let trader: string;

beforeAll(async () => {
  t = await startRuntime();
  sys = await t.token('u_system', 't_system');
  admin = await t.token('u_admin', 't_demo');
  trader = await t.token('u_operator', 't_demo');
});
afterAll(async () => {
  await t.stop();
});

describe('modes', () => {
  it('anyone authenticated lists modes; only a system admin edits one (audited)', async () => {
    const l = await t.call('GET', '/v1/modes', { token: trader });
    expect(l.status).toBe(200);
    expect((l.body.items ?? []).map((m) => m.mode).sort()).toEqual(['enterprise', 'lab', 'saas']);
    expect((await t.call('PUT', '/v1/modes/lab', { token: admin, body: { description: 'x' } })).status).toBe(403);
    const lab = (l.body.items ?? []).find((m) => m.mode === 'lab');
    const p = await t.call('PUT', '/v1/modes/lab', {
      token: sys,
      headers: { 'If-Match': `"${String(lab?.version)}"` },
      body: { description: 'Research sandboxes' },
    });
    expect(p.status).toBe(200);
    expect(p.body.description).toBe('Research sandboxes');
    expect((await t.call('PUT', '/v1/modes/bogus', { token: sys, body: {} })).status).toBe(400);
  });
});

describe('tenants and projects', () => {
  it('system admin creates a tenant; duplicates → 409; members read, outsiders cannot', async () => {
    const c = await t.call('POST', '/v1/tenants', { token: sys, body: { tenantId: 't_new', name: 'New Co' } });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ tenantId: 't_new', mode: 'saas', version: 1 });
    expect(
      (await t.call('POST', '/v1/tenants', { token: sys, body: { tenantId: 't_new', name: 'Again' } })).status,
    ).toBe(409);
    expect((await t.call('POST', '/v1/tenants', { token: admin, body: { tenantId: 't_x', name: 'X' } })).status).toBe(
      403,
    );
    expect((await t.call('POST', '/v1/tenants', { token: sys, body: { tenantId: 'Bad Id', name: 'X' } })).status).toBe(
      400,
    );
    expect((await t.call('GET', '/v1/tenants/t_new', { token: sys })).status).toBe(200);
    expect((await t.call('GET', '/v1/tenants/t_demo', { token: trader })).body.tenantId).toBe('t_demo');
    const outsider = await t.call('GET', '/v1/tenants/t_demo', { token: await t.token('u_acme', 't_acme') });
    expect(outsider.status).toBe(400);
    expect(outsider.body.code).toBe('CONTEXT_MISMATCH');
  });

  it('PATCH tenant: tenant admin or system admin; If-Match required and honoured; traders refused', async () => {
    expect((await t.call('PATCH', '/v1/tenants/t_demo', { token: trader, body: { name: 'Nope' } })).status).toBe(403);
    const read = await t.call('GET', '/v1/tenants/t_demo', { token: admin });
    const ok = await t.call('PATCH', '/v1/tenants/t_demo', {
      token: admin,
      headers: { 'If-Match': String(read.headers.get('etag')) },
      body: { name: 'Demo Co 2' },
    });
    expect(ok.status).toBe(200);
    const v = Number(ok.body.version);
    expect(
      (
        await t.call('PATCH', '/v1/tenants/t_demo', {
          token: sys,
          headers: { 'If-Match': `"${v - 1}"` },
          body: { mode: 'lab' },
        })
      ).status,
    ).toBe(412);
    const s = await t.call('PATCH', '/v1/tenants/t_demo', {
      token: sys,
      headers: { 'If-Match': `"${v}"` },
      body: { mode: 'lab' },
    });
    expect(s.body.mode).toBe('lab');
    const me = await t.call('GET', '/v1/me', { token: trader, headers: { 'X-Project-Id': 'p_demo' } });
    expect(me.body.mode).toBe('lab');
    const back = await t.call('PATCH', '/v1/tenants/t_demo', {
      token: sys,
      headers: { 'If-Match': String(s.headers.get('etag')) },
      body: { mode: 'saas' },
    });
    expect(back.status).toBe(200);
  });

  it('projects: members list, admins create, duplicates 409', async () => {
    const c = await t.call('POST', '/v1/tenants/t_demo/projects', {
      token: admin,
      body: { projectId: 'p_mobile', name: 'Mobile', surface: 'mobile' },
    });
    expect(c.status).toBe(201);
    expect(
      (
        await t.call('POST', '/v1/tenants/t_demo/projects', {
          token: admin,
          body: { projectId: 'p_mobile', name: 'Mobile' },
        })
      ).status,
    ).toBe(409);
    expect(
      (await t.call('POST', '/v1/tenants/t_demo/projects', { token: trader, body: { projectId: 'p_x', name: 'X' } }))
        .status,
    ).toBe(403);
    const l = await t.call('GET', '/v1/tenants/t_demo/projects', { token: trader });
    expect((l.body.items ?? []).map((p) => p.projectId).sort()).toEqual(['p_demo', 'p_mobile']);
    // the new project is usable as context at once
    expect(
      (await t.call('GET', '/v1/portfolios', { token: trader, headers: { 'X-Project-Id': 'p_mobile' } })).status,
    ).toBe(200);
  });
});

describe('members', () => {
  it('a tier downgrade takes effect on the next request (membership is data, not token groups)', async () => {
    const tok = await t.token('u_sovereign', 't_demo', '30m');
    const P = { 'X-Project-Id': 'p_demo' };
    expect((await t.call('POST', '/v1/portfolios', { token: tok, headers: P, body: { name: 'before' } })).status).toBe(
      201,
    );
    const read = await t.call('GET', '/v1/tenants/t_demo/members/u_sovereign', { token: admin });
    const d = await t.call('PUT', '/v1/tenants/t_demo/members/u_sovereign', {
      token: admin,
      headers: { 'If-Match': String(read.headers.get('etag')) },
      body: { roles: ['trader'], tier: 'observer' },
    });
    expect(d.status).toBe(200);
    const after = await t.call('POST', '/v1/portfolios', { token: tok, headers: P, body: { name: 'after' } });
    expect(after.status).toBe(403);
    expect(after.body.code).toBe('TIER_TOO_LOW');
    expect((await t.call('GET', '/v1/me', { token: tok, headers: P })).body.tier).toBe('observer');
  });

  it('admins list, add and remove members; removal locks the user out at once', async () => {
    expect((await t.call('GET', '/v1/tenants/t_demo/members', { token: trader })).status).toBe(403);
    const add = await t.call('PUT', '/v1/tenants/t_demo/members/u_temp', {
      token: admin,
      body: { roles: ['viewer'], tier: 'navigator' },
    });
    expect(add.status).toBe(201);
    expect(add.headers.get('location')).toBe('/v1/tenants/t_demo/members/u_temp');
    const tok = await t.token('u_temp', 't_demo');
    expect((await t.call('GET', '/v1/portfolios', { token: tok, headers: { 'X-Project-Id': 'p_demo' } })).status).toBe(
      200,
    );
    const l = await t.call('GET', '/v1/tenants/t_demo/members?limit=200', { token: admin });
    expect((l.body.items ?? []).some((m) => m.userId === 'u_temp')).toBe(true);
    const gone = { token: admin, headers: { 'If-Match': String(add.headers.get('etag')) } };
    expect((await t.call('DELETE', '/v1/tenants/t_demo/members/u_temp', gone)).status).toBe(204);
    const r = await t.call('GET', '/v1/portfolios', { token: tok, headers: { 'X-Project-Id': 'p_demo' } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('NOT_A_MEMBER');
    expect((await t.call('DELETE', '/v1/tenants/t_demo/members/u_temp', gone)).status).toBe(404);
    expect(
      (
        await t.call('PUT', '/v1/tenants/t_demo/members/u_x', {
          token: admin,
          body: { roles: ['god'], tier: 'observer' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('routing registry', () => {
  // t_acme: t_demo's seed already has a broker entry (the fake Alpaca)
  it('system admin reads, writes and removes entries; kinds broker and market-data fit the same schema', async () => {
    expect((await t.call('GET', '/v1/routing/t_demo/dev/data', { token: admin })).status).toBe(403);
    const b = await t.call('PUT', '/v1/routing/t_acme/dev/broker', {
      token: sys,
      body: { kind: 'broker', adapter: 'simulation' },
    });
    expect(b.status).toBe(201);
    const m = await t.call('PUT', '/v1/routing/t_demo/staging/market-data', {
      token: sys,
      body: { kind: 'market-data', provider: 'twelvedata', baseUrl: 'https://api.twelvedata.com' },
    });
    expect(m.status).toBe(201);
    const g = await t.call('GET', '/v1/routing/t_acme/dev/broker', { token: sys });
    expect(g.body.config).toEqual({ kind: 'broker', adapter: 'simulation' });
    const mismatch = await t.call('PUT', '/v1/routing/t_acme/dev/broker', {
      token: sys,
      body: { kind: 'data', mode: 'pooled', tableName: 'x-table' },
    });
    expect(mismatch.status).toBe(400);
    expect(
      (await t.call('PUT', '/v1/routing/t_demo/dev/data', { token: sys, body: { kind: 'data', mode: 'pooled' } }))
        .status,
    ).toBe(400);
    expect((await t.call('GET', '/v1/routing/t_demo/dev/nonsense', { token: sys })).status).toBe(400);
    const ifMatch = { 'If-Match': String(g.headers.get('etag')) };
    expect((await t.call('DELETE', '/v1/routing/t_acme/dev/broker', { token: sys, headers: ifMatch })).status).toBe(
      204,
    );
    expect((await t.call('GET', '/v1/routing/t_acme/dev/broker', { token: sys })).status).toBe(404);
  });

  it('with no identity entry every bearer request is 503 ROUTING_NOT_CONFIGURED (no fallback)', async () => {
    const g = await t.call('GET', '/v1/routing/t_system/dev/identity', { token: sys });
    expect(g.status).toBe(200);
    const ifMatch = { 'If-Match': String(g.headers.get('etag')) };
    expect((await t.call('DELETE', '/v1/routing/t_system/dev/identity', { token: sys, headers: ifMatch })).status).toBe(
      204,
    );
    const r = await t.call('GET', '/v1/modes', { token: trader });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('ROUTING_NOT_CONFIGURED');
    expect(String(r.body.detail)).toContain('identity');
    // restore straight in the table (no token can be verified now), then the registry sees it
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await t.rt.platform.db.send(
      new PutCommand({
        TableName: t.rt.tables.control,
        Item: { PK: 'TENANT#t_system', SK: 'ROUTING#dev#identity', config: g.body.config, version: 1, updatedAt: 'x' },
      }),
    );
    t.rt.platform.registry.invalidate();
    expect((await t.call('GET', '/v1/modes', { token: trader })).status).toBe(200);
  });
});

describe('API keys', () => {
  // The secret is shown once and stored hashed; once revoked, the key no longer works.
  it('admin creates a key (secret shown once), a machine client uses it, revocation locks it out', async () => {
    expect(
      (
        await t.call('POST', '/v1/api-keys', {
          token: trader,
          headers: { 'X-Project-Id': 'p_demo' },
          body: { name: 'bot', tier: 'navigator', roles: ['trader'] },
        })
      ).status,
    ).toBe(403);
    const c = await t.call('POST', '/v1/api-keys', {
      token: admin,
      headers: { 'X-Project-Id': 'p_demo' },
      body: { name: 'bot', tier: 'navigator', roles: ['trader'] },
    });
    expect(c.status).toBe(201);
    const secret = String(c.body.secret);
    const keyId = String(c.body.keyId);
    expect(secret).toMatch(/^bk_k_/);
    expect(c.body.hash).toBeUndefined();
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const raw = (await t.rt.platform.db.send(new ScanCommand({ TableName: t.rt.tables.control }))).Items ?? [];
    expect(JSON.stringify(raw)).not.toContain(secret);

    const me = await t.call('GET', '/v1/me', { apiKey: secret });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      tenantId: 't_demo',
      projectId: 'p_demo',
      tier: 'navigator',
      principal: `apikey:${keyId}`,
    });
    expect((await t.call('POST', '/v1/portfolios', { apiKey: secret, body: { name: 'by bot' } })).status).toBe(201);
    expect(
      (await t.call('GET', '/v1/portfolios', { apiKey: secret, headers: { 'X-Tenant-Id': 't_acme' } })).status,
    ).toBe(403);
    expect(
      (await t.call('GET', '/v1/portfolios', { apiKey: secret, headers: { 'X-Project-Id': 'p_mobile' } })).body.code,
    ).toBe('CONTEXT_MISMATCH');
    expect((await t.call('GET', `/v1/portfolios?x-api-key=${secret}`)).body.code).toBe('CREDENTIALS_IN_QUERY');

    const l = await t.call('GET', '/v1/api-keys', { token: admin });
    expect((l.body.items ?? []).map((k) => k.keyId)).toContain(keyId);
    expect(l.text).not.toContain(secret);
    // another tenant cannot revoke it
    const acmeAdmin = await t.call('PUT', '/v1/tenants/t_acme/members/u_acme_admin', {
      token: sys,
      body: { roles: ['admin'], tier: 'operator' },
    });
    expect(acmeAdmin.status).toBe(201);
    const v1 = { 'If-Match': String(c.headers.get('etag')) };
    const acme = await t.token('u_acme_admin', 't_acme');
    expect((await t.call('DELETE', `/v1/api-keys/${keyId}`, { token: acme, headers: v1 })).status).toBe(404);
    expect((await t.call('DELETE', `/v1/api-keys/${keyId}`, { token: admin, headers: v1 })).status).toBe(204);
    const after = await t.call('GET', '/v1/me', { apiKey: secret });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('API_KEY_REVOKED');
    expect((await t.call('GET', '/v1/me', { apiKey: `${secret.slice(0, -2)}xx` })).status).toBe(401);
    expect((await t.call('GET', '/v1/me', { apiKey: 'garbage' })).status).toBe(401);
  });
});

describe('health', () => {
  it('liveness and readiness need no credentials', async () => {
    expect((await t.call('GET', '/v1/health')).status).toBe(200);
    const r = await t.call('GET', '/v1/health/ready');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ready');
  });
});

describe('OpenAPI', () => {
  it('documents every route of the table with its schemas', async () => {
    const { ALL_ROUTES: ROUTES } = await import('../../packages/app/src/routes.js');
    const r = await t.call('GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const paths = r.body.paths as Record<string, Record<string, { operationId: string; requestBody?: unknown }>>;
    for (const route of ROUTES) expect(paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.id);
    const create = paths['/v1/portfolios'].post as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    };
    expect(Object.keys(create.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['name', 'cash', 'baseCurrency']),
    );
  });
});
