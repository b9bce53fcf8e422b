import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { LocalIssuer } from '../../../../../local/src/issuer.js';
import {
  bearer,
  createTestBed,
  echo,
  type Echo,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  trustIssuer,
  withKey,
} from '../../../../test/support/harness.js';
import { SYSTEM_TENANT } from '../../../context/types.js';
import { AppError } from '../../../errors.js';
import { ID_PATTERN } from '../../../schemas/common.js';
import { defineRoutes } from '../../define-route.js';
import type { Authentication } from '../../pipeline.js';
import { claimedContext } from './index.js';

const anyBody = z.optional(z.record(z.string(), z.unknown()));
const ok = { 200: { description: 'echo', body: z.unknown() } } as const;
const base = { minTier: 'observer', roles: [], uses: { control: 'read' } } as const;

const routes = defineRoutes('probe', {
  tenant: {
    id: 'probe.tenant',
    method: 'POST',
    path: '/v1/probe/tenant',
    summary: 'tenant route',
    access: 'tenant',
    ...base,
    request: { body: anyBody },
    responses: ok,
  },
  project: {
    id: 'probe.project',
    method: 'POST',
    path: '/v1/probe/project',
    summary: 'project route',
    access: 'project',
    ...base,
    request: { body: anyBody },
    responses: ok,
  },
  tenantPath: {
    id: 'probe.tenantPath',
    method: 'POST',
    path: '/v1/probe/tenants/{tenantId}',
    summary: 'names a tenant in its path',
    access: 'tenant',
    ...base,
    request: { params: z.object({ tenantId: z.string() }), body: anyBody },
    responses: ok,
  },
  overridePath: {
    id: 'probe.overridePath',
    method: 'POST',
    path: '/v1/probe/any-tenant/{tenantId}',
    summary: 'system admins may name any tenant',
    access: 'tenant',
    systemAdminOverride: true,
    ...base,
    request: { params: z.object({ tenantId: z.string() }), body: anyBody },
    responses: ok,
  },
  system: {
    id: 'probe.system',
    method: 'POST',
    path: '/v1/probe/system',
    summary: 'system admins only',
    access: 'system',
    ...base,
    request: { body: anyBody },
    responses: ok,
  },
  projectPath: {
    id: 'probe.projectPath',
    method: 'GET',
    path: '/v1/probe/projects/{projectId}',
    summary: 'names a project in its path',
    access: 'project',
    ...base,
    request: { params: z.object({ projectId: z.string() }) },
    responses: ok,
  },
});

let bed: TestBed;
let issuer: LocalIssuer;
let call: Record<keyof typeof routes, Invoke>;
let alphaKey: SeededKey;

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'ctx' });
  issuer = await trustIssuer(bed);
  await bed.tenant(SYSTEM_TENANT);
  await bed.tenant('t_alpha', 'enterprise');
  await bed.tenant('t_beta');
  await bed.project('t_alpha', 'p_alpha');
  await bed.project('t_alpha', 'p_alpha_two');
  await bed.project('t_beta', 'p_beta');
  await bed.member('t_alpha', 'u_alice', 'navigator', ['trader']);
  await bed.member('t_beta', 'u_alice', 'sovereign', ['viewer']);
  await bed.member('t_beta', 'u_bob', 'operator', ['trader']);
  await bed.member(SYSTEM_TENANT, 'u_root', 'sovereign', ['admin']);
  await bed.member(SYSTEM_TENANT, 'u_staff', 'sovereign', ['viewer']);
  alphaKey = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'operator', roles: ['trader'] });
  call = {
    tenant: probe(bed.platform, routes.tenant, echo()),
    project: probe(bed.platform, routes.project, echo()),
    tenantPath: probe(bed.platform, routes.tenantPath, echo()),
    overridePath: probe(bed.platform, routes.overridePath, echo()),
    system: probe(bed.platform, routes.system, echo()),
    projectPath: probe(bed.platform, routes.projectPath, echo()),
  };
});

const token = (sub: string, tenantId?: string, groups?: string[]) => issuer.mint({ sub, tenantId, groups });

describe('tenant: X-Tenant-Id vs the token claim vs the API key', () => {
  it('header and token claim the same tenant → that tenant', async () => {
    const r = await call.tenant<Echo>({
      headers: { ...bearer(await token('u_alice', 't_alpha')), 'X-Tenant-Id': 't_alpha' },
    });
    expect(r.status).toBe(200);
    expect(r.body.ctx).toMatchObject({ tenantId: 't_alpha', principal: { kind: 'user', id: 'u_alice' } });
  });

  it('only the token claims a tenant → the token’s tenant', async () => {
    const r = await call.tenant<Echo>({ headers: bearer(await token('u_alice', 't_beta')) });
    expect(r.status).toBe(200);
    expect(r.body.ctx?.tenantId).toBe('t_beta');
  });

  it('only the header names a tenant (token without a tenant claim) → the header’s tenant', async () => {
    const r = await call.tenant<Echo>({ headers: { ...bearer(await token('u_alice')), 'X-Tenant-Id': ' t_beta ' } });
    expect(r.status).toBe(200);
    expect(r.body.ctx?.tenantId).toBe('t_beta');
  });

  it('header and token claim different tenants → 403 TENANT_MISMATCH', async () => {
    const r = await call.tenant({ headers: { ...bearer(await token('u_alice', 't_alpha')), 'X-Tenant-Id': 't_beta' } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('TENANT_MISMATCH');
  });

  it('neither names a tenant → 400 TENANT_REQUIRED (an empty header counts as none)', async () => {
    for (const headers of [{}, { 'X-Tenant-Id': '' }, { 'X-Tenant-Id': '   ' }]) {
      const r = await call.tenant({
        headers: { ...bearer(await token('u_alice')), ...(headers as Record<string, string>) },
      });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'TENANT_REQUIRED', errors: [{ path: 'headers.x-tenant-id' }] });
    }
  });

  it('a malformed X-Tenant-Id → 400 INVALID_TENANT_ID, before any comparison', async () => {
    for (const bad of ['T_ALPHA', 'a', '1abc', 't-alpha', 't_alpha;drop', `t${'x'.repeat(63)}`]) {
      const r = await call.tenant({ headers: { ...bearer(await token('u_alice', 't_alpha')), 'X-Tenant-Id': bad } });
      expect(r.status, bad).toBe(400);
      expect(r.body.code, bad).toBe('INVALID_TENANT_ID');
    }
  });

  // issue 8: a 2,000-character X-Tenant-Id reached the routing registry (as a hint for the token's
  // issuer) and DynamoDB refused the key: a 500 before authentication.
  it('an X-Tenant-Id over 2,000 characters → 400 INVALID_TENANT_ID with any credential, never looked up', async () => {
    const huge = `t${'x'.repeat(2099)}`;
    const cached = bed.platform.registry.cachedEntries;
    for (const headers of [
      bearer(await token('u_alice', 't_alpha')),
      bearer(await token('u_alice')),
      withKey(alphaKey),
    ]) {
      const r = await call.tenant({ headers: { ...headers, 'X-Tenant-Id': huge } });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'INVALID_TENANT_ID', errors: [{ path: 'headers.x-tenant-id' }] });
      expect(r.text).not.toContain(huge);
    }
    expect(bed.platform.registry.cachedEntries).toBe(cached);
  });

  it('a token whose tenant claim is not an id is refused (401 INVALID_TOKEN), never looked up', async () => {
    const cached = bed.platform.registry.cachedEntries;
    const odd = await issuer.mint({ sub: 'u_alice', claims: { 'custom:tenant_id': `T${'#'.repeat(3000)}` } });
    const r = await call.tenant({ headers: bearer(odd) });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_TOKEN');
    expect(bed.platform.registry.cachedEntries).toBe(cached);
  });

  it('an API key carries its tenant: a header naming another → 403, the same → ok, none → the key’s', async () => {
    const other = await call.tenant({ headers: { ...withKey(alphaKey), 'X-Tenant-Id': 't_beta' } });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('TENANT_MISMATCH');
    const same = await call.tenant<Echo>({ headers: { ...withKey(alphaKey), 'X-Tenant-Id': 't_alpha' } });
    expect(same.status).toBe(200);
    const none = await call.tenant<Echo>({ headers: withKey(alphaKey) });
    expect(none.body.ctx).toMatchObject({ tenantId: 't_alpha', principal: { kind: 'apiKey' } });
  });

  it('a tenant the user is not a member of, or no tenant at all → 403 NOT_A_MEMBER', async () => {
    const stranger = await call.tenant({ headers: bearer(await token('u_bob', 't_alpha')) });
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe('NOT_A_MEMBER');
    const ghost = await call.tenant({ headers: bearer(await token('u_alice', 't_ghost')) });
    expect(ghost.status).toBe(403);
    expect(ghost.body.code).toBe('NOT_A_MEMBER');
  });

  it('a revoked token is refused with 401 before any context problem is reported', async () => {
    const revoked = await token('u_alice', 't_alpha');
    const jti = JSON.parse(Buffer.from(revoked.split('.')[1], 'base64url').toString('utf8')).jti as string;
    await bed.platform.tenancy.revoke(jti, Math.floor(bed.clock.now / 1000) + 3600, 'u_alice', 'now');
    const r = await call.tenant({ headers: { ...bearer(revoked), 'X-Tenant-Id': 'NOT VALID' } });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('TOKEN_REVOKED');
  });
});

describe('project: X-Project-Id', () => {
  const alice = async () => bearer(await token('u_alice', 't_alpha'));

  it('a project route without X-Project-Id → 400 PROJECT_REQUIRED', async () => {
    const r = await call.project({ headers: await alice() });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'PROJECT_REQUIRED', errors: [{ path: 'headers.x-project-id' }] });
  });

  it('a project of the tenant → in the context', async () => {
    const r = await call.project<Echo>({ headers: { ...(await alice()), 'X-Project-Id': 'p_alpha_two' } });
    expect(r.status).toBe(200);
    expect(r.body.ctx).toMatchObject({ tenantId: 't_alpha', projectId: 'p_alpha_two' });
  });

  it('an unknown project, another tenant’s project, or a malformed id → 400 PROJECT_UNKNOWN', async () => {
    for (const projectId of ['p_nope', 'p_beta', 'P-BAD!']) {
      const r = await call.project({ headers: { ...(await alice()), 'X-Project-Id': projectId } });
      expect(r.status, projectId).toBe(400);
      expect(r.body.code, projectId).toBe('PROJECT_UNKNOWN');
    }
  });

  it('an unknown project is refused on a tenant route too (it would otherwise be silently dropped)', async () => {
    const r = await call.tenant({ headers: { ...(await alice()), 'X-Project-Id': 'p_beta' } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('PROJECT_UNKNOWN');
  });

  it('an API key’s own project is its context; a header naming another → 400 CONTEXT_MISMATCH', async () => {
    const own = await call.project<Echo>({ headers: withKey(alphaKey) });
    expect(own.status).toBe(200);
    expect(own.body.ctx?.projectId).toBe('p_alpha');
    const same = await call.project<Echo>({ headers: { ...withKey(alphaKey), 'X-Project-Id': 'p_alpha' } });
    expect(same.status).toBe(200);
    const other = await call.project({ headers: { ...withKey(alphaKey), 'X-Project-Id': 'p_alpha_two' } });
    expect(other.status).toBe(400);
    expect(other.body.code).toBe('CONTEXT_MISMATCH');
  });
});

describe('env: X-Env', () => {
  it('absent → the deployment’s default; names and aliases are normalised', async () => {
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'dev'],
      ['prod', 'prod'],
      [' PROD ', 'prod'],
      ['production', 'prod'],
      ['prd', 'prod'],
      ['stg', 'staging'],
      ['stage', 'staging'],
      ['Staging', 'staging'],
      ['development', 'dev'],
      ['develop', 'dev'],
    ];
    for (const [header, env] of cases) {
      const headers = { ...withKey(alphaKey), ...(header === undefined ? {} : { 'X-Env': header }) };
      const r = await call.tenant<Echo>({ headers });
      expect(r.status, String(header)).toBe(200);
      expect(r.body.ctx?.env, String(header)).toBe(env);
    }
  });

  it('an unknown env → 400 INVALID_ENV naming the header', async () => {
    for (const env of ['moon', 'qa', 'prod2']) {
      const r = await call.tenant({ headers: { ...withKey(alphaKey), 'X-Env': env } });
      expect(r.status, env).toBe(400);
      expect(r.body).toMatchObject({ code: 'INVALID_ENV', errors: [{ path: 'headers.x-env' }] });
    }
  });

  // issue 8: `X-Env: __proto__` resolved to Object.prototype through the alias table → 503.
  it('names of Object.prototype members are no envs: 400 INVALID_ENV, with a key or a token', async () => {
    for (const env of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      for (const headers of [withKey(alphaKey), bearer(await token('u_alice', 't_alpha'))]) {
        const r = await call.tenant({ headers: { ...headers, 'X-Env': env } });
        expect(r.status, env).toBe(400);
        expect(r.body, env).toMatchObject({ code: 'INVALID_ENV', errors: [{ path: 'headers.x-env' }] });
      }
    }
  });

  it('a user token is verified in the env it names', async () => {
    const r = await call.tenant<Echo>({ headers: { ...bearer(await token('u_alice', 't_alpha')), 'X-Env': 'stg' } });
    expect(r.status).toBe(200);
    expect(r.body.ctx?.env).toBe('staging');
  });
});

describe('path and body naming another tenant or project', () => {
  const alice = async () => bearer(await token('u_alice', 't_alpha'));
  const root = async () => bearer(await token('u_root', SYSTEM_TENANT));

  it('a path naming the context’s tenant is fine; another → 400 CONTEXT_MISMATCH', async () => {
    const same = await call.tenantPath({ headers: await alice(), params: { tenantId: 't_alpha' } });
    expect(same.status).toBe(200);
    const other = await call.tenantPath({ headers: await alice(), params: { tenantId: 't_beta' } });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'CONTEXT_MISMATCH', errors: [{ path: 'params.tenantId' }] });
  });

  it('a body naming another tenant → 400 CONTEXT_MISMATCH on any route', async () => {
    for (const invoke of [call.tenant, call.project]) {
      const r = await invoke({
        headers: { ...(await alice()), 'X-Project-Id': 'p_alpha' },
        body: { tenantId: 't_beta' },
      });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'CONTEXT_MISMATCH', errors: [{ path: 'body.tenantId' }] });
    }
    const same = await call.tenant({ headers: await alice(), body: { tenantId: 't_alpha' } });
    expect(same.status).toBe(200);
  });

  it('a body naming another project on a project route → 400 CONTEXT_MISMATCH', async () => {
    const headers = { ...(await alice()), 'X-Project-Id': 'p_alpha' };
    const other = await call.project({ headers, body: { projectId: 'p_alpha_two' } });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'CONTEXT_MISMATCH', errors: [{ path: 'body.projectId' }] });
    expect((await call.project({ headers, body: { projectId: 'p_alpha' } })).status).toBe(200);
  });

  // SPEC §1: "A body or path that names another tenant/project than the context → 400 (mismatch)".
  it('a path naming another project than X-Project-Id → 400 CONTEXT_MISMATCH', async () => {
    const headers = { ...(await alice()), 'X-Project-Id': 'p_alpha' };
    expect((await call.projectPath({ headers, params: { projectId: 'p_alpha' } })).status).toBe(200);
    const other = await call.projectPath({ headers, params: { projectId: 'p_alpha_two' } });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'CONTEXT_MISMATCH', errors: [{ path: 'params.projectId' }] });
  });

  it('a system admin may name any tenant only where the route allows it', async () => {
    const allowed = await call.overridePath({ headers: await root(), params: { tenantId: 't_beta' } });
    expect(allowed.status).toBe(200);
    const bodyAllowed = await call.overridePath({
      headers: await root(),
      params: { tenantId: 't_beta' },
      body: { tenantId: 't_beta' },
    });
    expect(bodyAllowed.status).toBe(200);
    const notAllowed = await call.tenantPath({ headers: await root(), params: { tenantId: 't_beta' } });
    expect(notAllowed.status).toBe(400);
    expect(notAllowed.body.code).toBe('CONTEXT_MISMATCH');
  });

  it('the override is for system admins only: a tenant admin or a t_system viewer still gets 400', async () => {
    await bed.member('t_alpha', 'u_tenant_admin', 'sovereign', ['admin']);
    const tenantAdmin = await call.overridePath({
      headers: bearer(await token('u_tenant_admin', 't_alpha')),
      params: { tenantId: 't_beta' },
    });
    expect(tenantAdmin.status).toBe(400);
    expect(tenantAdmin.body.code).toBe('CONTEXT_MISMATCH');
    const staff = await call.overridePath({
      headers: bearer(await token('u_staff', SYSTEM_TENANT)),
      params: { tenantId: 't_beta' },
    });
    expect(staff.status).toBe(400);
  });

  it('system routes: admins of t_system only (403 SYSTEM_ADMIN_REQUIRED), and they may name any tenant', async () => {
    const admin = await call.system<Echo>({ headers: await root(), body: { tenantId: 't_beta' } });
    expect(admin.status).toBe(200);
    expect(admin.body.ctx).toMatchObject({ tenantId: SYSTEM_TENANT, systemAdmin: true });
    for (const headers of [await alice(), bearer(await token('u_staff', SYSTEM_TENANT))]) {
      const r = await call.system({ headers });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('SYSTEM_ADMIN_REQUIRED');
    }
  });
});

describe('tier and roles come from the membership record', () => {
  it('token groups are ignored: the member record decides', async () => {
    const r = await call.tenant<Echo>({ headers: bearer(await token('u_alice', 't_alpha', ['admin', 'sovereign'])) });
    expect(r.body.ctx).toMatchObject({ tier: 'navigator', roles: ['trader'], mode: 'enterprise', systemAdmin: false });
    const beta = await call.tenant<Echo>({ headers: bearer(await token('u_alice', 't_beta', ['admin'])) });
    expect(beta.body.ctx).toMatchObject({ tier: 'sovereign', roles: ['viewer'], mode: 'saas' });
  });

  it('a downgrade applies on the next request, with the same token', async () => {
    await bed.member('t_alpha', 'u_carol', 'sovereign', ['admin']);
    const headers = bearer(await token('u_carol', 't_alpha'));
    expect((await call.tenant<Echo>({ headers })).body.ctx).toMatchObject({ tier: 'sovereign', roles: ['admin'] });
    await bed.member('t_alpha', 'u_carol', 'observer', ['viewer']);
    expect((await call.tenant<Echo>({ headers })).body.ctx).toMatchObject({ tier: 'observer', roles: ['viewer'] });
  });

  it('an API key’s tier and roles are the key record’s', async () => {
    const r = await call.tenant<Echo>({ headers: withKey(alphaKey) });
    expect(r.body.ctx).toMatchObject({ tier: 'operator', roles: ['trader'] });
  });
});

describe('claimedContext (pure)', () => {
  const id = fc.stringMatching(/^[a-z][a-z0-9_]{1,20}$/);
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const padded = (arb: fc.Arbitrary<string>) =>
    fc.tuple(fc.constantFrom('', ' ', '  '), arb, fc.constantFrom('', ' ', '\t')).map(([a, v, b]) => `${a}${v}${b}`);
  const malformed = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => {
    const t = s.trim();
    return t !== '' && !ID_PATTERN.test(t);
  });

  type Outcome = { ok: { tenantId: string; projectId?: string } } | { status: number; code: string };
  const outcome = (run: () => { tenantId: string; projectId?: string }): Outcome => {
    try {
      const { tenantId, projectId } = run();
      return { ok: projectId === undefined ? { tenantId } : { tenantId, projectId } };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return { status: e.status, code: e.code };
    }
  };
  /** The documented rules, in the order they are checked. */
  const model = (
    headerTenant: string | undefined,
    headerProject: string | undefined,
    tokenTenant: string | undefined,
    keyProject: string | undefined,
  ): Outcome => {
    const ht = headerTenant?.trim() || undefined;
    if (ht !== undefined && !ID_PATTERN.test(ht)) return { status: 400, code: 'INVALID_TENANT_ID' };
    if (ht && tokenTenant && ht !== tokenTenant) return { status: 403, code: 'TENANT_MISMATCH' };
    const tenantId = ht ?? tokenTenant;
    if (!tenantId) return { status: 400, code: 'TENANT_REQUIRED' };
    const hp = headerProject?.trim() || undefined;
    if (hp !== undefined && !ID_PATTERN.test(hp)) return { status: 400, code: 'PROJECT_UNKNOWN' };
    if (keyProject && hp && hp !== keyProject) return { status: 400, code: 'CONTEXT_MISMATCH' };
    const projectId = keyProject ?? hp;
    return { ok: projectId === undefined ? { tenantId } : { tenantId, projectId } };
  };
  const authOf = (tokenTenant: string | undefined, keyProject: string | undefined): Authentication => ({
    principal: keyProject ? { kind: 'apiKey', id: 'apikey:k', keyId: 'k' } : { kind: 'user', id: 'u', userId: 'u' },
    ...(tokenTenant ? { tokenTenantId: tokenTenant } : {}),
    ...(keyProject ? { keyProjectId: keyProject } : {}),
  });
  // Small pools make collisions (same / different tenant) frequent.
  const tenantPool = fc.constantFrom('t_one', 't_two', 't_three');
  const projectPool = fc.constantFrom('p_one', 'p_two');

  it('matches the precedence rules for every combination of headers and credentials', () => {
    fc.assert(
      fc.property(
        maybe(fc.oneof(padded(tenantPool), padded(id), malformed, fc.constant(''))),
        maybe(fc.oneof(padded(projectPool), malformed, fc.constant(''))),
        maybe(fc.oneof(tenantPool, id)),
        maybe(projectPool),
        (headerTenant, headerProject, tokenTenant, keyProject) => {
          const headers: Record<string, string> = {};
          if (headerTenant !== undefined) headers['x-tenant-id'] = headerTenant;
          if (headerProject !== undefined) headers['x-project-id'] = headerProject;
          const got = outcome(() => claimedContext(headers, authOf(tokenTenant, keyProject)));
          expect(got).toEqual(model(headerTenant, headerProject, tokenTenant, keyProject));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is pure: same answer twice, inputs untouched', () => {
    fc.assert(
      fc.property(maybe(padded(tenantPool)), maybe(tenantPool), maybe(projectPool), (headerTenant, tok, key) => {
        const sent: Record<string, string> = headerTenant === undefined ? {} : { 'x-tenant-id': headerTenant };
        const headers = Object.freeze(sent);
        const auth = Object.freeze(authOf(tok, key));
        const snapshot = JSON.stringify([headers, auth]);
        const first = outcome(() => claimedContext(headers, auth));
        expect(outcome(() => claimedContext(headers, auth))).toEqual(first);
        expect(JSON.stringify([headers, auth])).toBe(snapshot);
      }),
      { numRuns: 200 },
    );
  });

  it('the tenant it returns is always one the caller named (header or credentials), never a guess', () => {
    fc.assert(
      fc.property(maybe(padded(tenantPool)), maybe(tenantPool), (headerTenant, tok) => {
        const headers: Record<string, string> = headerTenant === undefined ? {} : { 'x-tenant-id': headerTenant };
        const got = outcome(() => claimedContext(headers, authOf(tok, undefined)));
        if ('ok' in got) expect([headerTenant?.trim(), tok]).toContain(got.ok.tenantId);
      }),
      { numRuns: 200 },
    );
  });
});
