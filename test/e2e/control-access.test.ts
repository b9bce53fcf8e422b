import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProjectKeyRule, routes } from '../../packages/app/src/control/routes.js';
import type { RouteDef } from '../../packages/platform/src/http/define-route.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

// Issue 8, access control of the control plane: an API key's project scope, no escalation, the
// last admin, keys that die with their creator, fresh logins, and /v1/me without a project.

/** The control routes, each with its rule for project-scoped keys. */
const controlRoutes: ReadonlyArray<RouteDef & { projectKeys: ProjectKeyRule }> = Object.values(routes);

let t: TestRuntime;
// The runtime's one clock; moved a minute at a time so rate windows stay fresh. Tokens are minted
// at the current instant (a fresh login) unless a test ages them.
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const P = { 'X-Project-Id': 'p_demo' };

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
afterAll(async () => {
  await t.stop();
});

function nextMinute() {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
}

/** A token of a login that happened just now. */
const fresh = (sub: string, tenantId: string) => t.token(sub, tenantId);
const sys = () => fresh('u_system', 't_system');
const admin = () => fresh('u_admin', 't_demo');

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code).toBe(code);
}

const etagOf = (res: CallResult) => ({ 'If-Match': String(res.headers.get('etag')) });

async function newKey(token: string, body: Record<string, unknown>, headers: Record<string, string> = P) {
  const res = await t.call('POST', '/v1/api-keys', { token, headers, body });
  expectStatus(res, 201);
  return { secret: String(res.body.secret), keyId: String(res.body.keyId), res };
}

async function addMember(tenantId: string, userId: string, roles: string[], tier: string, token?: string) {
  const res = await t.call('PUT', `/v1/tenants/${tenantId}/members/${userId}`, {
    token: token ?? (await sys()),
    body: { roles, tier },
  });
  expectStatus(res, 201);
  return res;
}

async function currentMember(tenantId: string, userId: string) {
  const res = await t.call('GET', `/v1/tenants/${tenantId}/members/${userId}`, { token: await sys() });
  expectStatus(res, 200);
  return res;
}

describe('a project-scoped API key holds to its project on every control route', () => {
  const keys: Record<string, { secret: string; keyId: string }> = {};

  beforeAll(async () => {
    nextMinute();
    const a = await admin();
    const s = await sys();
    expectStatus(
      await t.call('POST', '/v1/tenants/t_demo/projects', { token: a, body: { projectId: 'p_other', name: 'Other' } }),
      201,
    );
    expectStatus(
      await t.call('POST', '/v1/tenants/t_system/projects', { token: s, body: { projectId: 'p_ops', name: 'Ops' } }),
      201,
    );
    const admins = { tier: 'sovereign', roles: ['admin'] };
    keys.demo = await newKey(a, { name: 'demo project admin', ...admins });
    keys.other = await newKey(a, { name: 'other project admin', ...admins }, { 'X-Project-Id': 'p_other' });
    keys.demoTenant = await newKey(a, { name: 'demo tenant admin', scope: 'tenant', ...admins }, {});
    keys.system = await newKey(s, { name: 'ops project admin', ...admins }, { 'X-Project-Id': 'p_ops' });
    keys.systemTenant = await newKey(s, { name: 'system tenant admin', scope: 'tenant', ...admins }, {});
  });

  /** A body each route accepts, so a call reaches the rule, not the validator. */
  const bodies: Record<string, unknown> = {
    'modes.put': { description: 'probe' },
    'tenants.create': { tenantId: 't_scope_probe', name: 'Probe' },
    'tenants.patch': { name: 'Renamed by a key' },
    'projects.create': { projectId: 'p_probe', name: 'Probe' },
    'members.put': { roles: ['admin'], tier: 'sovereign' },
    'routing.put': { kind: 'broker', adapter: 'simulation' },
    'apiKeys.create': { name: 'minted by a key', tier: 'sovereign', roles: ['admin'] },
    'auth.logout': {},
    'flags.put': { enabled: true },
    'flags.putOverride': { enabled: true },
  };
  const pathOf = (path: string) =>
    path
      .replace('{tenantId}', 't_demo')
      .replace('{projectId}', 'p_other')
      .replace('{userId}', 'u_operator')
      .replace('{env}', 'dev')
      .replace('{kind}', 'broker')
      .replace('{mode}', 'lab')
      .replace('{flag}', 'trading.live')
      .replace('{keyId}', keys.other.keyId);
  const reachable = controlRoutes.filter((r) => r.access !== 'public' && r.access !== 'bootstrapKey');
  const callWith = (key: { secret: string }, r: (typeof reachable)[number]) =>
    t.call(r.method, pathOf(r.path), {
      apiKey: key.secret,
      headers: { 'If-Match': '"1"' },
      body: r.request.body ? bodies[r.id] : undefined,
    });

  it('every control route declares its rule, and the tenant-level ones are the expected set', () => {
    const refused = reachable.filter((r) => r.projectKeys === 'refused').map((r) => r.id);
    expect(refused.sort()).toEqual(
      [
        'apiKeys.create',
        'audit.list',
        'flags.deleteOverride',
        'flags.put',
        'flags.putOverride',
        'members.delete',
        'members.get',
        'members.list',
        'members.put',
        'modes.put',
        'projects.create',
        'projects.list',
        'routing.delete',
        'routing.get',
        'routing.put',
        'tenants.create',
        'tenants.get',
        'tenants.patch',
      ].sort(),
    );
    const narrowed = reachable.filter((r) => r.projectKeys === 'ownProject').map((r) => r.id);
    expect(narrowed.sort()).toEqual(['apiKeys.delete', 'apiKeys.get', 'apiKeys.list', 'projects.get']);
  });

  it.each(reachable.filter((r) => r.projectKeys === 'refused').map((r) => [r.id, r] as const))(
    '%s: a project-scoped key is refused (403), a tenant-scoped one of the same tenant is not',
    async (_id, r) => {
      nextMinute();
      const system = r.access === 'system';
      const project = await callWith(system ? keys.system : keys.demo, r);
      // Dangerous routes refuse every key before anything else (they need an interactive fresh login).
      expectStatus(project, 403, r.freshLogin ? 'INTERACTIVE_LOGIN_REQUIRED' : 'API_KEY_SCOPE');
      const tenant = await callWith(system ? keys.systemTenant : keys.demoTenant, r);
      if (r.freshLogin) expectStatus(tenant, 403, 'INTERACTIVE_LOGIN_REQUIRED');
      else expect(tenant.status, `${r.id}: ${tenant.text}`).not.toBe(403);
    },
  );

  it('routes open to any key answer a project-scoped key as anyone', async () => {
    nextMinute();
    expectStatus(await t.call('GET', '/v1/modes', { apiKey: keys.demo.secret }), 200);
    const me = await t.call('GET', '/v1/me', { apiKey: keys.demo.secret });
    expectStatus(me, 200);
    expect(me.body).toMatchObject({ tenantId: 't_demo', projectId: 'p_demo', apiKeyId: keys.demo.keyId });
    expectStatus(await t.call('POST', '/v1/auth/logout', { apiKey: keys.demo.secret, body: {} }), 400, 'NOT_A_TOKEN');
  });

  it('keys of another project are invisible to it: not listed, not readable, not revocable', async () => {
    nextMinute();
    const listed = await t.call('GET', '/v1/api-keys?limit=200', { apiKey: keys.demo.secret });
    expectStatus(listed, 200);
    const ids = (listed.body.items ?? []).map((k) => k.keyId);
    expect(ids).toContain(keys.demo.keyId);
    expect(ids).not.toContain(keys.other.keyId);
    expect(ids).not.toContain(keys.demoTenant.keyId);
    for (const k of listed.body.items ?? []) expect(k.projectId).toBe('p_demo');
    expectStatus(await t.call('GET', `/v1/api-keys/${keys.other.keyId}`, { apiKey: keys.demo.secret }), 404);
    const own = await t.call('GET', `/v1/api-keys/${keys.demo.keyId}`, { apiKey: keys.demo.secret });
    expectStatus(own, 200);
    const revoke = await t.call('DELETE', `/v1/api-keys/${keys.other.keyId}`, {
      apiKey: keys.demo.secret,
      headers: { 'If-Match': '"1"' },
    });
    expectStatus(revoke, 404, 'API_KEY_NOT_FOUND');
    // the other project's key still works, and its admin sees it unrevoked
    expectStatus(await t.call('GET', '/v1/me', { apiKey: keys.other.secret }), 200);
    // a tenant-scoped key sees every key of the tenant
    const all = await t.call('GET', '/v1/api-keys?limit=200', { apiKey: keys.demoTenant.secret });
    expect((all.body.items ?? []).map((k) => k.keyId)).toEqual(
      expect.arrayContaining([keys.demo.keyId, keys.other.keyId, keys.demoTenant.keyId]),
    );
  });

  it('it reads its own project only; the whole tenant’s audit and membership changes are out of reach', async () => {
    nextMinute();
    expectStatus(await t.call('GET', '/v1/tenants/t_demo/projects/p_demo', { apiKey: keys.demo.secret }), 200);
    expectStatus(await t.call('GET', '/v1/tenants/t_demo/projects/p_other', { apiKey: keys.demo.secret }), 404);
    expectStatus(await t.call('GET', '/v1/audit', { apiKey: keys.demo.secret }), 403, 'API_KEY_SCOPE');
    const promote = await t.call('PUT', '/v1/tenants/t_demo/members/u_operator', {
      apiKey: keys.demo.secret,
      body: { roles: ['admin'], tier: 'sovereign' },
    });
    expectStatus(promote, 403);
    expect((await currentMember('t_demo', 'u_operator')).body.roles).toEqual(['trader']);
  });

  it('a tenant-scoped key is made by a user admin only; it names no project and takes one per request', async () => {
    nextMinute();
    const a = await admin();
    const bad = async (body: Record<string, unknown>, headers: Record<string, string>, code: string) =>
      expectStatus(await t.call('POST', '/v1/api-keys', { token: a, headers, body }), 400, code);
    const base = { name: 'k', tier: 'observer', roles: ['viewer'] };
    await bad({ ...base, scope: 'tenant', projectId: 'p_demo' }, {}, 'VALIDATION_FAILED');
    await bad(base, {}, 'PROJECT_REQUIRED');
    await bad({ ...base, projectId: 'p_nowhere' }, {}, 'PROJECT_UNKNOWN');
    await bad({ ...base, projectId: 'p_other' }, P, 'CONTEXT_MISMATCH');
    const made = await newKey(a, { ...base, scope: 'tenant' }, {});
    expect(made.res.body.scope).toBe('tenant');
    expect(made.res.body.projectId).toBeUndefined();
    const bare = await t.call('GET', '/v1/me', { apiKey: made.secret });
    expect(bare.body.projectId).toBeUndefined();
    const inOther = await t.call('GET', '/v1/me', { apiKey: made.secret, headers: { 'X-Project-Id': 'p_other' } });
    expect(inOther.body.projectId).toBe('p_other');
    // a key never makes keys, of either scope
    const byKey = await t.call('POST', '/v1/api-keys', { apiKey: keys.demoTenant.secret, body: base });
    expectStatus(byKey, 403, 'INTERACTIVE_LOGIN_REQUIRED');
    // a project-scoped key in body.projectId only: the project is checked
    const named = await newKey(a, { ...base, projectId: 'p_other' }, {});
    expect(named.res.body).toMatchObject({ scope: 'project', projectId: 'p_other' });
  });
});

describe('no escalation: nobody grants above its own rights or the tenant’s ceiling, nor changes its own', () => {
  beforeAll(async () => {
    nextMinute();
    const s = await sys();
    const tenant = await t.call('POST', '/v1/tenants', {
      token: s,
      body: { tenantId: 't_esc', name: 'Escalation', tierCeiling: 'operator' },
    });
    expectStatus(tenant, 201);
    expect(tenant.body.tierCeiling).toBe('operator');
    expectStatus(
      await t.call('POST', '/v1/tenants/t_esc/projects', { token: s, body: { projectId: 'p_esc', name: 'E' } }),
      201,
    );
    await addMember('t_esc', 'u_esc_admin', ['admin'], 'navigator');
    await addMember('t_esc', 'u_esc_boss', ['admin'], 'operator');
    await addMember('t_esc', 'u_esc_member', ['trader'], 'observer');
  });

  it('an admin cannot make a key above its own tier or the ceiling (the observer-made sovereign key)', async () => {
    const low = await fresh('u_esc_admin', 't_esc');
    const headers = { 'X-Project-Id': 'p_esc' };
    const key = (tier: string) =>
      t.call('POST', '/v1/api-keys', { token: low, headers, body: { name: 'k', tier, roles: ['admin'] } });
    expectStatus(await key('sovereign'), 403, 'TIER_ABOVE_CEILING');
    expectStatus(await key('operator'), 403, 'TIER_ABOVE_OWN');
    expectStatus(await key('navigator'), 201);
  });

  it('an admin cannot raise a member above its own tier, nor above the ceiling', async () => {
    nextMinute();
    const member = await currentMember('t_esc', 'u_esc_member');
    const put = async (token: string, tier: string) =>
      t.call('PUT', '/v1/tenants/t_esc/members/u_esc_member', {
        token,
        headers: etagOf(member),
        body: { roles: ['trader'], tier },
      });
    expectStatus(await put(await fresh('u_esc_admin', 't_esc'), 'operator'), 403, 'TIER_ABOVE_OWN');
    expectStatus(await put(await fresh('u_esc_boss', 't_esc'), 'sovereign'), 403, 'TIER_ABOVE_CEILING');
    // a system admin is bound by the ceiling too
    expectStatus(await put(await sys(), 'sovereign'), 403, 'TIER_ABOVE_CEILING');
    expectStatus(await put(await fresh('u_esc_admin', 't_esc'), 'navigator'), 200);
  });

  it('nobody changes their own tier or roles — up or down, tenant admin or system admin', async () => {
    nextMinute();
    const own = await currentMember('t_esc', 'u_esc_admin');
    const self = await fresh('u_esc_admin', 't_esc');
    for (const body of [
      { roles: ['admin'], tier: 'operator' },
      { roles: ['admin'], tier: 'observer' },
    ]) {
      const res = await t.call('PUT', '/v1/tenants/t_esc/members/u_esc_admin', {
        token: self,
        headers: etagOf(own),
        body,
      });
      expectStatus(res, 403, 'OWN_MEMBERSHIP');
    }
    // a system admin adding itself to a tenant is changing its own rights too
    const selfAdd = await t.call('PUT', '/v1/tenants/t_esc/members/u_system', {
      token: await sys(),
      body: { roles: ['admin'], tier: 'operator' },
    });
    expectStatus(selfAdd, 403, 'OWN_MEMBERSHIP');
    expect((await currentMember('t_esc', 'u_esc_admin')).body.tier).toBe('navigator');
  });

  it('an admin cannot change or remove someone who holds more than it does', async () => {
    nextMinute();
    const boss = await currentMember('t_esc', 'u_esc_boss');
    const low = await fresh('u_esc_admin', 't_esc');
    const demote = await t.call('PUT', '/v1/tenants/t_esc/members/u_esc_boss', {
      token: low,
      headers: etagOf(boss),
      body: { roles: ['admin'], tier: 'observer' },
    });
    expectStatus(demote, 403, 'MEMBER_ABOVE_OWN');
    const remove = await t.call('DELETE', '/v1/tenants/t_esc/members/u_esc_boss', {
      token: low,
      headers: etagOf(boss),
    });
    expectStatus(remove, 403, 'MEMBER_ABOVE_OWN');
  });

  it('only a system admin sets the ceiling; a lowered ceiling caps existing members at once', async () => {
    nextMinute();
    const read = await t.call('GET', '/v1/tenants/t_esc', { token: await sys() });
    const byTenantAdmin = await t.call('PATCH', '/v1/tenants/t_esc', {
      token: await fresh('u_esc_boss', 't_esc'),
      headers: etagOf(read),
      body: { tierCeiling: 'sovereign' },
    });
    expectStatus(byTenantAdmin, 403, 'TIER_CEILING_SYSTEM_ONLY');
    const boss = await fresh('u_esc_boss', 't_esc');
    expect((await t.call('GET', '/v1/me', { token: boss })).body.tier).toBe('operator');
    const lowered = await t.call('PATCH', '/v1/tenants/t_esc', {
      token: await sys(),
      headers: etagOf(read),
      body: { tierCeiling: 'observer' },
    });
    expectStatus(lowered, 200);
    expect(lowered.body.tierCeiling).toBe('observer');
    expect((await t.call('GET', '/v1/me', { token: boss })).body.tier).toBe('observer');
    const raised = await t.call('PATCH', '/v1/tenants/t_esc', {
      token: await sys(),
      headers: etagOf(lowered),
      body: { tierCeiling: 'operator' },
    });
    expectStatus(raised, 200);
    expect((await t.call('GET', '/v1/me', { token: boss })).body.tier).toBe('operator');
  });
});

describe('the last admin of a tenant stays one (409 LAST_ADMIN)', () => {
  beforeAll(async () => {
    nextMinute();
    expectStatus(
      await t.call('POST', '/v1/tenants', { token: await sys(), body: { tenantId: 't_solo', name: 'S' } }),
      201,
    );
    await addMember('t_solo', 'u_solo', ['admin'], 'sovereign');
  });

  it('it cannot demote or remove itself, nor be demoted or removed by a system admin', async () => {
    const solo = await currentMember('t_solo', 'u_solo');
    const self = await fresh('u_solo', 't_solo');
    const demote = { roles: ['trader'], tier: 'sovereign' };
    const put = (token: string) =>
      t.call('PUT', '/v1/tenants/t_solo/members/u_solo', { token, headers: etagOf(solo), body: demote });
    const remove = (token: string) =>
      t.call('DELETE', '/v1/tenants/t_solo/members/u_solo', { token, headers: etagOf(solo) });
    expectStatus(await put(self), 409, 'LAST_ADMIN');
    expectStatus(await remove(self), 409, 'LAST_ADMIN');
    expectStatus(await put(await sys()), 409, 'LAST_ADMIN');
    expectStatus(await remove(await sys()), 409, 'LAST_ADMIN');
    expect((await currentMember('t_solo', 'u_solo')).body.roles).toEqual(['admin']);
  });

  it('with a second admin, one may leave; the one left is then the last', async () => {
    nextMinute();
    await addMember('t_solo', 'u_solo_two', ['admin'], 'operator', await fresh('u_solo', 't_solo'));
    const solo = await currentMember('t_solo', 'u_solo');
    // changing its own roles stays refused even then; leaving is allowed
    const self = await fresh('u_solo', 't_solo');
    const own = await t.call('PUT', '/v1/tenants/t_solo/members/u_solo', {
      token: self,
      headers: etagOf(solo),
      body: { roles: ['trader'], tier: 'sovereign' },
    });
    expectStatus(own, 403, 'OWN_MEMBERSHIP');
    expectStatus(
      await t.call('DELETE', '/v1/tenants/t_solo/members/u_solo', { token: self, headers: etagOf(solo) }),
      204,
    );
    const two = await currentMember('t_solo', 'u_solo_two');
    const last = await t.call('DELETE', '/v1/tenants/t_solo/members/u_solo_two', {
      token: await sys(),
      headers: etagOf(two),
    });
    expectStatus(last, 409, 'LAST_ADMIN');
  });
});

describe('an API key never holds more than its creator: it is revoked when the creator goes or drops below it', () => {
  const me = (secret: string) => t.call('GET', '/v1/me', { apiKey: secret });

  it('a removed admin’s key cannot mint keys or re-add the admin: it is revoked with the membership', async () => {
    nextMinute();
    await addMember('t_demo', 'u_keymaker', ['admin'], 'operator', await admin());
    const maker = await fresh('u_keymaker', 't_demo');
    const adminKey = await newKey(maker, { name: 'admin key', tier: 'operator', roles: ['admin'] });
    const traderKey = await newKey(maker, { name: 'trader key', tier: 'observer', roles: ['trader'] });
    const tenantKey = await newKey(
      maker,
      { name: 'tenant key', scope: 'tenant', tier: 'navigator', roles: ['admin'] },
      {},
    );
    expectStatus(await me(adminKey.secret), 200);

    // lowered to trader: the admin keys it made go, the trader key (within its new rights) stays
    nextMinute();
    const before = await currentMember('t_demo', 'u_keymaker');
    const lowered = await t.call('PUT', '/v1/tenants/t_demo/members/u_keymaker', {
      token: await admin(),
      headers: etagOf(before),
      body: { roles: ['trader'], tier: 'operator' },
    });
    expectStatus(lowered, 200);
    expectStatus(await me(adminKey.secret), 401, 'API_KEY_REVOKED');
    expectStatus(await me(tenantKey.secret), 401, 'API_KEY_REVOKED');
    expectStatus(await me(traderKey.secret), 200);

    // removed: every key it made goes, in the same change
    nextMinute();
    const removed = await t.call('DELETE', '/v1/tenants/t_demo/members/u_keymaker', {
      token: await admin(),
      headers: etagOf(lowered),
    });
    expectStatus(removed, 204);
    expectStatus(await me(traderKey.secret), 401, 'API_KEY_REVOKED');
    // the revoked key can do nothing: re-adding its creator is refused at authentication
    const readd = await t.call('PUT', '/v1/tenants/t_demo/members/u_keymaker', {
      apiKey: adminKey.secret,
      body: { roles: ['admin'], tier: 'operator' },
    });
    expectStatus(readd, 401, 'API_KEY_REVOKED');
    // each revocation is audited with its reason
    const audit = await t.call('GET', `/v1/audit?action=apiKey.revoke&resource=apiKey/${traderKey.keyId}`, {
      token: await admin(),
    });
    expect(audit.body.items?.[0]?.after).toMatchObject({ reason: 'its creator u_keymaker was removed' });
    // coming back does not bring the keys back
    await addMember('t_demo', 'u_keymaker', ['admin'], 'operator', await admin());
    expectStatus(await me(adminKey.secret), 401, 'API_KEY_REVOKED');
  });

  it('a member with more keys than one commit holds loses all of them', async () => {
    nextMinute();
    await addMember('t_demo', 'u_manykeys', ['admin'], 'navigator', await admin());
    const maker = await fresh('u_manykeys', 't_demo');
    const made: string[] = [];
    for (let i = 0; i < 27; i++) {
      made.push((await newKey(maker, { name: `bulk ${i}`, tier: 'observer', roles: ['viewer'] })).secret);
    }
    nextMinute();
    const member = await currentMember('t_demo', 'u_manykeys');
    expect(member.body).not.toHaveProperty('keysCreated');
    const removed = await t.call('DELETE', '/v1/tenants/t_demo/members/u_manykeys', {
      token: await admin(),
      headers: etagOf(member),
    });
    expectStatus(removed, 204);
    nextMinute();
    for (const secret of made) expectStatus(await me(secret), 401, 'API_KEY_REVOKED');
  });
});

describe('dangerous actions need a fresh login (RFC 9470)', () => {
  const dangerous = controlRoutes.filter((r) => r.freshLogin);

  it('creating keys, changing members, routing and modes (and a tenant’s mode) are declared so', () => {
    expect(dangerous.map((r) => r.id).sort()).toEqual(
      [
        'apiKeys.create',
        'flags.deleteOverride',
        'flags.put',
        'flags.putOverride',
        'members.delete',
        'members.put',
        'modes.put',
        'routing.delete',
        'routing.put',
        'tenants.patch',
      ].sort(),
    );
  });

  it.each(dangerous.map((r) => [r.id, r] as const))(
    '%s: a login older than 5 minutes → 401 with the step-up challenge',
    async (_id, r) => {
      nextMinute();
      const user = r.access === 'system' ? ['u_system', 't_system'] : ['u_admin', 't_demo'];
      const stale = await t.token(user[0], user[1], '30m', { authTime: Math.floor(clock / 1000) - 301 });
      const sample: Record<string, string> = {
        tenantId: 't_demo',
        userId: 'u_operator',
        env: 'dev',
        kind: 'broker',
        flag: 'trading.live',
      };
      const path = r.path.replace(/\{(\w+)\}/g, (_m, name: string) => sample[name] ?? 'lab');
      const res = await t.call(r.method, path, {
        token: stale,
        headers: { 'If-Match': '"1"' },
        body: r.request.body ? {} : undefined,
      });
      expectStatus(res, 401, 'FRESH_LOGIN_REQUIRED');
      expect(res.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
    },
  );
});

describe('/v1/me needs no project', () => {
  it('u_system (t_system has no project) reads its tenant-level context', async () => {
    nextMinute();
    const res = await t.call('GET', '/v1/me', { token: await fresh('u_system', 't_system') });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ tenantId: 't_system', systemAdmin: true, tier: 'sovereign', roles: ['admin'] });
    expect(res.body.projectId).toBeUndefined();
    // a project is still checked when one is named
    const unknown = await t.call('GET', '/v1/me', { token: await admin(), headers: { 'X-Project-Id': 'p_nowhere' } });
    expectStatus(unknown, 400, 'PROJECT_UNKNOWN');
    expect((await t.call('GET', '/v1/me', { token: await admin(), headers: P })).body.projectId).toBe('p_demo');
  });
});
