import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProjectKeyRule, routes } from '../../packages/app/src/control/routes.js';
import type { RouteDef } from '../../packages/platform/src/http/define-route.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

// Issue 8, the control plane's write rules (DESIGN "HTTP conventions"): versions sent as ETags,
// If-Match on every change, 201 + Location on creation, a GET of every item, ids of another tenant
// refused; free-form maps bounded; a routing entry's data table checked on write.

/** The control routes, each with its rule for project-scoped keys. */
const controlRoutes: ReadonlyArray<RouteDef & { projectKeys: ProjectKeyRule }> = Object.values(routes);

let t: TestRuntime;
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

const sys = () => t.token('u_system', 't_system');
const admin = () => t.token('u_admin', 't_demo');

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code).toBe(code);
}

const etag = (res: CallResult) => String(res.headers.get('etag'));

/** The PUT/PATCH/DELETE routes that change an existing item, with a path to one and a body it accepts. */
async function changes(): Promise<Array<{ id: string; method: string; path: string; token: string; body?: unknown }>> {
  const a = await admin();
  const s = await sys();
  const key = await t.call('POST', '/v1/api-keys', {
    token: a,
    headers: P,
    body: { name: 'to revoke', tier: 'observer', roles: ['viewer'] },
  });
  expectStatus(key, 201);
  await t.call('PUT', '/v1/tenants/t_demo/members/u_changed', {
    token: a,
    body: { roles: ['viewer'], tier: 'observer' },
  });
  await t.call('PUT', '/v1/routing/t_demo/dev/broker', { token: s, body: { kind: 'broker', adapter: 'simulation' } });
  // a flag's global setting and a tenant's override (answered 428 when they exist already: fine)
  await t.call('PUT', '/v1/flags/trading.live', { token: s, body: { enabled: false } });
  await t.call('PUT', '/v1/tenants/t_acme/flags/trading.live', { token: s, body: { enabled: false } });
  return [
    { id: 'modes.put', method: 'PUT', path: '/v1/modes/saas', token: s, body: { description: 'x' } },
    { id: 'tenants.patch', method: 'PATCH', path: '/v1/tenants/t_demo', token: a, body: { name: 'Demo' } },
    {
      id: 'members.put',
      method: 'PUT',
      path: '/v1/tenants/t_demo/members/u_changed',
      token: a,
      body: { roles: ['viewer'], tier: 'navigator' },
    },
    { id: 'members.delete', method: 'DELETE', path: '/v1/tenants/t_demo/members/u_changed', token: a },
    {
      id: 'routing.put',
      method: 'PUT',
      path: '/v1/routing/t_demo/dev/broker',
      token: s,
      body: { kind: 'broker', adapter: 'other' },
    },
    { id: 'routing.delete', method: 'DELETE', path: '/v1/routing/t_demo/dev/broker', token: s },
    { id: 'apiKeys.delete', method: 'DELETE', path: `/v1/api-keys/${String(key.body.keyId)}`, token: a },
    { id: 'flags.put', method: 'PUT', path: '/v1/flags/trading.live', token: s, body: { enabled: false } },
    {
      id: 'flags.putOverride',
      method: 'PUT',
      path: '/v1/tenants/t_acme/flags/trading.live',
      token: s,
      body: { enabled: true },
    },
    { id: 'flags.deleteOverride', method: 'DELETE', path: '/v1/tenants/t_acme/flags/trading.live', token: s },
  ];
}

/** Flag settings have no GET of their own: their versions are in the flag list (t_acme's, as a system admin sees). */
async function flagVersion(id: string): Promise<string> {
  const list = await t.call('GET', '/v1/flags', {
    token: await t.token('u_acme', 't_acme'),
    headers: { 'X-Project-Id': 'p_acme' },
  });
  const flag = (
    list.body.items as unknown as Array<{
      key: string;
      global: { version: number } | null;
      override: { version: number } | null;
    }>
  ).find((f) => f.key === 'trading.live');
  const setting = id === 'flags.put' ? flag?.global : flag?.override;
  return `"${String(setting?.version)}"`;
}

describe('every change of an existing control resource needs If-Match at its version', () => {
  it('the routes that change items are exactly these', () => {
    const changing = controlRoutes.filter((r) => ['PUT', 'PATCH', 'DELETE'].includes(r.method)).map((r) => r.id);
    expect(changing.sort()).toEqual(
      [
        'apiKeys.delete',
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

  it('without If-Match → 428; a stale one → 412; at the version it read → done, one version on', async () => {
    nextMinute();
    for (const c of await changes()) {
      const without = await t.call(c.method, c.path, { token: c.token, body: c.body });
      expectStatus(without, 428, 'IF_MATCH_REQUIRED');
      // modes are read from their list; every other item has a GET of its own
      const current =
        c.id === 'modes.put'
          ? String(await modeVersion('saas'))
          : c.id.startsWith('flags.')
            ? await flagVersion(c.id)
            : etag(await t.call('GET', c.path, { token: c.token }));
      expect(current, `${c.id}: its GET sends the ETag`).toMatch(/^"\d+"$/);
      const stale = await t.call(c.method, c.path, { token: c.token, headers: { 'If-Match': '"999"' }, body: c.body });
      expectStatus(stale, 412, 'VERSION_MISMATCH');
      const ok = await t.call(c.method, c.path, { token: c.token, headers: { 'If-Match': current }, body: c.body });
      expect(ok.status, `${c.id}: ${ok.text}`).toBeLessThan(300);
      if (ok.status === 200) expect(etag(ok)).toBe(`"${Number(current.replace(/"/g, '')) + 1}"`);
    }
  });

  // Decided: versions are exact, so ETags are strong and If-Match compares strongly (RFC 9110
  // §13.1.1): W/"3" never matches, even at the current version, on every route that takes If-Match.
  it('a weak ETag in If-Match (W/"n") never matches, even at the current version → 412', async () => {
    nextMinute();
    for (const c of await changes()) {
      const current =
        c.id === 'modes.put'
          ? String(await modeVersion('saas'))
          : c.id.startsWith('flags.')
            ? await flagVersion(c.id)
            : etag(await t.call('GET', c.path, { token: c.token }));
      const weak = await t.call(c.method, c.path, {
        token: c.token,
        headers: { 'If-Match': `W/${current}` },
        body: c.body,
      });
      expectStatus(weak, 412, 'VERSION_MISMATCH');
      // nothing changed: the strong tag still matches
      const after =
        c.id === 'modes.put'
          ? String(await modeVersion('saas'))
          : c.id.startsWith('flags.')
            ? await flagVersion(c.id)
            : etag(await t.call('GET', c.path, { token: c.token }));
      expect(after, c.id).toBe(current);
    }
  });

  async function modeVersion(mode: string) {
    const list = await t.call('GET', '/v1/modes', { token: await admin() });
    const found = (list.body.items ?? []).find((m) => m.mode === mode);
    return found ? `"${String(found.version)}"` : undefined;
  }

  it('PUT /v1/modes/{mode} replaces: what the body leaves out is reset, not merged', async () => {
    nextMinute();
    const s = await sys();
    const first = await t.call('PUT', '/v1/modes/lab', {
      token: s,
      headers: { 'If-Match': String(await modeVersion('lab')) },
      body: { description: 'Labs', defaults: { dataMode: 'pooled' } },
    });
    expectStatus(first, 200);
    expect(first.body.defaults).toEqual({ dataMode: 'pooled' });
    const second = await t.call('PUT', '/v1/modes/lab', {
      token: s,
      headers: { 'If-Match': etag(first) },
      body: { description: 'Labs again' },
    });
    expectStatus(second, 200);
    expect(second.body.defaults).toEqual({});
    // a stale version is a 412 like everywhere else (it was a 409)
    const stale = await t.call('PUT', '/v1/modes/lab', {
      token: s,
      headers: { 'If-Match': etag(first) },
      body: { description: 'lost' },
    });
    expectStatus(stale, 412, 'VERSION_MISMATCH');
  });

  it('a PUT that would create: If-Match on an absent item → 412; If-None-Match: * on a present one → 412', async () => {
    nextMinute();
    const a = await admin();
    const absent = await t.call('PUT', '/v1/tenants/t_demo/members/u_not_yet', {
      token: a,
      headers: { 'If-Match': '"1"' },
      body: { roles: ['viewer'], tier: 'observer' },
    });
    expectStatus(absent, 412);
    const present = await t.call('PUT', '/v1/tenants/t_demo/members/u_operator', {
      token: a,
      headers: { 'If-None-Match': '*' },
      body: { roles: ['viewer'], tier: 'observer' },
    });
    expectStatus(present, 412);
    const s = await sys();
    const entry = await t.call('PUT', '/v1/routing/t_demo/staging/broker', {
      token: s,
      headers: { 'If-None-Match': '*' },
      body: { kind: 'broker', adapter: 'simulation' },
    });
    expectStatus(entry, 201);
    expect(entry.headers.get('location')).toBe('/v1/routing/t_demo/staging/broker');
  });
});

describe('creation answers 201 with Location and ETag; every item has a GET of its own', () => {
  it('projects, members, API keys and tenants', async () => {
    nextMinute();
    const a = await admin();
    const s = await sys();
    const created = [
      await t.call('POST', '/v1/tenants/t_demo/projects', { token: a, body: { projectId: 'p_new', name: 'New' } }),
      await t.call('PUT', '/v1/tenants/t_demo/members/u_new', {
        token: a,
        body: { roles: ['viewer'], tier: 'observer' },
      }),
      await t.call('POST', '/v1/api-keys', {
        token: a,
        headers: P,
        body: { name: 'n', tier: 'observer', roles: ['viewer'] },
      }),
      await t.call('POST', '/v1/tenants', { token: s, body: { tenantId: 't_new_one', name: 'New one' } }),
    ];
    for (const c of created) {
      expectStatus(c, 201);
      expect(etag(c)).toBe('"1"');
      expect(c.body.version).toBe(1);
      const location = String(c.headers.get('location'));
      const read = await t.call('GET', location, { token: location.startsWith('/v1/tenants/t_new') ? s : a });
      expectStatus(read, 200);
      expect(etag(read)).toBe('"1"');
      expect(read.body).toMatchObject({ version: 1 });
      expect(read.body).not.toHaveProperty('secret');
      expect(read.body).not.toHaveProperty('hash');
    }
    for (const missing of ['/v1/tenants/t_demo/projects/p_none', '/v1/tenants/t_demo/members/u_none']) {
      expectStatus(await t.call('GET', missing, { token: a }), 404);
    }
    expectStatus(await t.call('GET', '/v1/api-keys/k_AAAAAAAAAAAAAAAA', { token: a }), 404, 'API_KEY_NOT_FOUND');
    const list = await t.call('GET', '/v1/tenants/t_demo/members?limit=200', { token: a });
    for (const m of list.body.items ?? []) {
      expect(m.version).toBeGreaterThanOrEqual(1);
      expect(m).not.toHaveProperty('keysCreated');
    }
  });
});

describe('an id of another tenant is refused on every id route', () => {
  let acmeAdmin: string;
  let demoKeyId: string;

  beforeAll(async () => {
    nextMinute();
    const add = await t.call('PUT', '/v1/tenants/t_acme/members/u_acme_admin', {
      token: await sys(),
      body: { roles: ['admin'], tier: 'operator' },
    });
    expectStatus(add, 201);
    acmeAdmin = await t.token('u_acme_admin', 't_acme');
    const key = await t.call('POST', '/v1/api-keys', {
      token: await admin(),
      headers: P,
      body: { name: 'demo key', tier: 'observer', roles: ['viewer'] },
    });
    demoKeyId = String(key.body.keyId);
  });

  const idRoutes = controlRoutes.filter((r) => /\{(tenantId|projectId|userId|keyId)\}/.test(r.path));

  it.each(idRoutes.map((r) => [r.id, r] as const))('%s: naming t_demo’s item as t_acme’s admin', async (_id, r) => {
    nextMinute();
    acmeAdmin = await t.token('u_acme_admin', 't_acme');
    const sample: Record<string, string> = {
      tenantId: 't_demo',
      projectId: 'p_demo',
      userId: 'u_operator',
      keyId: demoKeyId,
      env: 'dev',
      kind: 'broker',
    };
    const bodies: Record<string, unknown> = {
      'tenants.patch': { name: 'Taken over' },
      'projects.create': { projectId: 'p_taken', name: 'Taken' },
      'members.put': { roles: ['admin'], tier: 'operator' },
      'routing.put': { kind: 'broker', adapter: 'simulation' },
    };
    const path = r.path.replace(/\{(\w+)\}/g, (_m, name: string) => sample[name]);
    const res = await t.call(r.method, path, {
      token: acmeAdmin,
      headers: { 'If-Match': '"1"' },
      body: r.request.body ? bodies[r.id] : undefined,
    });
    if (r.access === 'system') expectStatus(res, 403, 'SYSTEM_ADMIN_REQUIRED');
    else if (r.path.includes('{tenantId}')) expectStatus(res, 400, 'CONTEXT_MISMATCH');
    else expectStatus(res, 404, 'API_KEY_NOT_FOUND');
  });

  it('the demo key is still there and unrevoked', async () => {
    const read = await t.call('GET', `/v1/api-keys/${demoKeyId}`, { token: await admin() });
    expectStatus(read, 200);
    expect(read.body.revokedAt).toBeUndefined();
  });
});

describe('free-form maps are bounded: a bad key, deep nesting or a huge number is a 400 naming the field', () => {
  const cases: Array<[string, string, string]> = [
    ['a reserved key', '{"constructor":"x"}', 'constructor'],
    ['__proto__', '{"__proto__":{"polluted":"yes"}}', '__proto__'],
    ['an empty key', '{"":"x"}', ''],
    ['a huge number', '{"n":1e400}', 'n'],
    ['an out-of-range number', '{"n":1e-300}', 'n'],
    ['an unsafe integer', '{"n":123456789012345678901234567890}', 'n'],
    ['deep nesting', '{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}', 'a.b.c.d'],
  ];

  async function send(target: 'app' | 'defaults' | 'options', map: string) {
    const token = target === 'app' ? await admin() : await sys();
    if (target === 'app') {
      return t.call('POST', '/v1/tenants/t_demo/projects', {
        token,
        headers: { 'Content-Type': 'application/json' },
        rawBody: `{"projectId":"p_mapped","name":"M","app":${map}}`,
      });
    }
    if (target === 'defaults') {
      return t.call('PUT', '/v1/modes/enterprise', {
        token,
        headers: { 'Content-Type': 'application/json', 'If-Match': '"1"' },
        rawBody: `{"description":"d","defaults":${map}}`,
      });
    }
    // staging: the seed gives dev its market-data entry, and a first PUT needs no If-Match
    return t.call('PUT', '/v1/routing/t_demo/staging/market-data', {
      token,
      headers: { 'Content-Type': 'application/json' },
      rawBody: `{"kind":"market-data","provider":"fake","options":${map}}`,
    });
  }

  it.each(cases)('%s', async (_what, map, at) => {
    nextMinute();
    for (const target of ['app', 'defaults', 'options'] as const) {
      const res = await send(target, map);
      // project app values are strings: a number there is refused for being one
      expectStatus(res, 400, 'VALIDATION_FAILED');
      const paths = (res.body.errors ?? []).map((e) => e.path);
      // app values are flat strings: nesting is refused at its first level there
      const where = target === 'app' && at.includes('.') ? at.split('.')[0] : at;
      expect(paths, `${target}: ${res.text}`).toContain(`body.${target}.${where}`);
    }
  });

  it('a plain map is stored as sent', async () => {
    nextMinute();
    const made = await send('options', '{"region":"eu","retries":3,"ratio":0.5,"nested":{"on":true}}');
    expectStatus(made, 201);
    expect(made.body.config).toMatchObject({ options: { region: 'eu', retries: 3, nested: { on: true } } });
    const project = await send('app', '{"bundleId":"dev.ballast.app","store.url":"https://x"}');
    expectStatus(project, 201);
    expect(project.body.app).toEqual({ bundleId: 'dev.ballast.app', 'store.url': 'https://x' });
  });
});

describe('a data routing entry names a table that exists', () => {
  it('a missing table → 422 naming it; an existing one is accepted', async () => {
    nextMinute();
    const s = await sys();
    const missing = await t.call('PUT', '/v1/routing/t_acme/staging/data', {
      token: s,
      body: { kind: 'data', mode: 'silo', tableName: 'no-such-table-here' },
    });
    expectStatus(missing, 422, 'DATA_TABLE_NOT_FOUND');
    expect(missing.body.errors).toEqual([
      { path: 'body.tableName', message: expect.stringContaining('no-such-table-here') },
    ]);
    expectStatus(await t.call('GET', '/v1/routing/t_acme/staging/data', { token: s }), 404);
    const ok = await t.call('PUT', '/v1/routing/t_acme/staging/data', {
      token: s,
      body: { kind: 'data', mode: 'silo', tableName: t.rt.tables.silo },
    });
    expectStatus(ok, 201);
    // a change to a missing table is refused the same way, and the entry is left as it was
    const change = await t.call('PUT', '/v1/routing/t_acme/staging/data', {
      token: s,
      headers: { 'If-Match': etag(ok) },
      body: { kind: 'data', mode: 'silo', tableName: 'gone-table' },
    });
    expectStatus(change, 422, 'DATA_TABLE_NOT_FOUND');
    const after = await t.call('GET', '/v1/routing/t_acme/staging/data', { token: s });
    expect(after.body.config).toMatchObject({ tableName: t.rt.tables.silo });
  });
});
