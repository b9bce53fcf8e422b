import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { BallastClient, Problem } from '../../packages/client/src/index.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

/**
 * The control plane through the typed client: tenants, projects, members, API keys, the caller's
 * context, audit, routing, and the public routes. A contract change that breaks one of these calls
 * is a type error in this file (`npm test` type-checks before it runs anything).
 */
let t: TestRuntime;
let sys: BallastClient;
let admin: BallastClient;
let anonymous: BallastClient;

beforeAll(async () => {
  t = await startRuntime();
  sys = t.client({ token: await t.token('u_system', 't_system') });
  admin = t.client({ token: await t.token('u_admin', 't_demo'), projectId: 'p_demo' });
  anonymous = t.client();
});
afterAll(async () => {
  await t.stop();
});

function ok<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data === undefined) throw new Error(`${r.response.status}: ${JSON.stringify(r.error)}`);
  return r.data;
}

function refused(r: { error?: Problem; response: Response }, status: number): Problem {
  expect(r.response.status, JSON.stringify(r.error)).toBe(status);
  if (!r.error) throw new Error(`no problem body on ${r.response.status}`);
  return r.error;
}

describe('control plane through the typed client', () => {
  it('public routes need no credentials: health, readiness, the document, the docs page', async () => {
    expect(ok(await anonymous.GET('/v1/health')).status).toBe('ok');
    const ready = ok(await anonymous.GET('/v1/health/ready'));
    expect(ready.checks.controlTable.ok).toBe(true);
    expect(ok(await anonymous.GET('/v1/openapi.json')).openapi).toBe('3.1.0');
    const page = await anonymous.GET('/v1/docs', { parseAs: 'text' });
    expect(ok(page)).toContain('<script src="/v1/docs/scalar.js"></script>');
  });

  it('modes, tenants and the caller’s own context', async () => {
    const modes = ok(await admin.GET('/v1/modes'));
    expect(modes.items.map((m) => m.mode).sort()).toEqual(['enterprise', 'lab', 'saas']);

    const created = await sys.POST('/v1/tenants', {
      params: { header: { 'Idempotency-Key': 'typed-tenant-0001' } },
      body: { tenantId: 't_typed', name: 'Typed Co' },
    });
    expect(created.response.status).toBe(201);
    expect(ok(created)).toMatchObject({ tenantId: 't_typed', mode: 'saas', version: 1 });
    expect(created.response.headers.get('location')).toContain('t_typed');
    expect(refused(await sys.POST('/v1/tenants', { body: { tenantId: 't_typed', name: 'Again' } }), 409).code).toBe(
      'TENANT_EXISTS',
    );

    const demo = await admin.GET('/v1/tenants/{tenantId}', { params: { path: { tenantId: 't_demo' } } });
    expect(ok(demo).tenantId).toBe('t_demo');
    expect(demo.response.headers.get('etag')).toBe(`"${ok(demo).version}"`);

    const me = ok(await admin.GET('/v1/me'));
    expect(me).toMatchObject({ tenantId: 't_demo' });
  });

  it('projects: create (idempotent), read one, page through', async () => {
    const tenant = { tenantId: 't_demo' };
    const c = await admin.POST('/v1/tenants/{tenantId}/projects', {
      params: { path: tenant, header: { 'Idempotency-Key': 'typed-project-0001' } },
      body: { projectId: 'p_typed', name: 'Typed project', surface: 'api' },
    });
    expect(c.response.status).toBe(201);
    expect(ok(c)).toMatchObject({ projectId: 'p_typed', tenantId: 't_demo', surface: 'api' });
    const one = await admin.GET('/v1/tenants/{tenantId}/projects/{projectId}', {
      params: { path: { ...tenant, projectId: 'p_typed' } },
    });
    expect(ok(one).name).toBe('Typed project');
    const page = ok(
      await admin.GET('/v1/tenants/{tenantId}/projects', { params: { path: tenant, query: { limit: 1 } } }),
    );
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBeTypeOf('string');
  });

  it('members: add, read, list, remove with If-Match', async () => {
    const path = { tenantId: 't_demo', userId: 'u_typed' };
    const put = await admin.PUT('/v1/tenants/{tenantId}/members/{userId}', {
      params: { path },
      body: { roles: ['trader'], tier: 'observer' },
    });
    expect([200, 201]).toContain(put.response.status);
    expect(ok(put)).toMatchObject({ userId: 'u_typed', roles: ['trader'], tier: 'observer' });
    const read = await admin.GET('/v1/tenants/{tenantId}/members/{userId}', { params: { path } });
    expect(ok(read).tier).toBe('observer');
    const list = ok(await admin.GET('/v1/tenants/{tenantId}/members', { params: { path: { tenantId: 't_demo' } } }));
    expect(list.items.some((m) => m.userId === 'u_typed')).toBe(true);
    const removed = await admin.DELETE('/v1/tenants/{tenantId}/members/{userId}', {
      params: { path, header: { 'If-Match': read.response.headers.get('etag') ?? '' } },
    });
    expect(removed.response.status).toBe(204);
    expect(refused(await admin.GET('/v1/tenants/{tenantId}/members/{userId}', { params: { path } }), 404).code).toBe(
      'MEMBER_NOT_FOUND',
    );
  });

  it('API keys: create one (its secret once), use it through a client of its own, revoke it', async () => {
    const c = await admin.POST('/v1/api-keys', {
      body: { name: 'typed key', tier: 'observer', roles: ['trader'], scope: 'project', projectId: 'p_demo' },
    });
    expect(c.response.status).toBe(201);
    const key = ok(c);
    expectTypeOf(key.secret).toEqualTypeOf<string>();
    const keyed = t.client({ apiKey: key.secret, projectId: 'p_demo' });
    expect(ok(await keyed.GET('/v1/portfolios')).items).toBeInstanceOf(Array);

    const listed = ok(await admin.GET('/v1/api-keys'));
    expect(listed.items.some((k) => k.keyId === key.keyId)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(key.secret);

    const read = await admin.GET('/v1/api-keys/{keyId}', { params: { path: { keyId: key.keyId } } });
    const revoked = await admin.DELETE('/v1/api-keys/{keyId}', {
      params: { path: { keyId: key.keyId }, header: { 'If-Match': read.response.headers.get('etag') ?? '' } },
    });
    expect(revoked.response.status).toBe(204);
    expect(refused(await keyed.GET('/v1/portfolios'), 401).code).toBe('API_KEY_REVOKED');
  });

  it('audit and routing: admins read what changed and where a tenant’s data lives', async () => {
    const audit = ok(await admin.GET('/v1/audit', { params: { query: { limit: 5 } } }));
    expect(audit.items.length).toBeGreaterThan(0);
    const path = { tenantId: 't_demo', env: 'dev', kind: 'data' } as const;
    const routing = await sys.GET('/v1/routing/{tenantId}/{env}/{kind}', { params: { path } });
    expect(ok(routing)).toMatchObject({ tenantId: 't_demo', env: 'dev', kind: 'data' });
    expect(
      refused(await admin.GET('/v1/routing/{tenantId}/{env}/{kind}', { params: { path } }), 403).code,
    ).toBeTruthy();
  });

  it('no credentials → 401 Problem with the challenge; a malformed path parameter → 400 naming it', async () => {
    const r = await anonymous.GET('/v1/me');
    expect(refused(r, 401).code).toBeTruthy();
    const bad = await admin.GET('/v1/tenants/{tenantId}', { params: { path: { tenantId: 'Not An Id' } } });
    expect(refused(bad, 400).errors?.map((e) => e.path)).toContain('params.tenantId');
  });
});
