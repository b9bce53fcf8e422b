import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Feature flags over HTTP: settings as data (a system admin's global setting, a tenant's
 * override), evaluated for the caller's tenant, env, project and tier, audited, and gating LIVE
 * trading — off by default (t_acme), on for the demo tenant by its seeded override.
 */

let t: TestRuntime;
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
let keySeq = 0;
const key = () => `flags-${++keySeq}-${Date.now()}`;
const fresh = (sub: string, tenant: string) => t.token(sub, tenant, '1h', { authTime: Math.floor(clock / 1000) });
const LIVE = 'trading.live';

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
beforeEach(() => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
});
afterAll(async () => {
  await t.stop();
});

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

interface FlagItem {
  key: string;
  default: boolean;
  override: { enabled: boolean; version: number } | null;
  global: { enabled: boolean } | null;
  effective: { enabled: boolean; source: string };
}

async function liveFlag(token: string, tenant: string, project?: string): Promise<FlagItem> {
  const res = await t.call('GET', '/v1/flags', {
    token,
    headers: { 'X-Tenant-Id': tenant, ...(project ? { 'X-Project-Id': project } : {}) },
  });
  expectStatus(res, 200);
  const items = res.body.items as unknown as FlagItem[];
  const found = items.find((f) => f.key === LIVE);
  if (!found) throw new Error('trading.live is not listed');
  return found;
}

const systemPut = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.call('PUT', path, {
    token: await fresh('u_system', 't_system'),
    headers: { 'X-Tenant-Id': 't_system', ...headers },
    body,
  });

async function acmeLiveAccount(): Promise<CallResult> {
  const acme = await fresh('u_acme', 't_acme');
  const headers = { 'X-Project-Id': 'p_acme', 'Idempotency-Key': key() };
  const pf = await t.call('POST', '/v1/portfolios', {
    token: acme,
    headers,
    body: { name: 'Acme live', cash: '1000' },
  });
  expectStatus(pf, 201);
  return t.call('POST', '/v1/accounts', {
    token: acme,
    headers: { 'X-Project-Id': 'p_acme', 'Idempotency-Key': key() },
    body: { name: 'Live', venue: 'LIVE', portfolioId: pf.body.portfolioId, confirm: true, reason: 'go live' },
  });
}

describe('feature flags', () => {
  it('LIVE trading is off by default and on only where a system admin turned it on', async () => {
    const acme = await t.token('u_acme', 't_acme', '1h');
    const off = await liveFlag(acme, 't_acme', 'p_acme');
    expect(off).toMatchObject({ default: false, global: null, override: null });
    expect(off.effective).toEqual({ enabled: false, source: 'default' });
    expectStatus(await acmeLiveAccount(), 403, 'FEATURE_DISABLED');

    const demo = await liveFlag(await t.token('u_navigator', 't_demo', '1h'), 't_demo', 'p_demo');
    expect(demo.effective).toEqual({ enabled: true, source: 'tenant' });
  });

  it('a tenant admin may not override a flag kept for system admins, nor touch another tenant', async () => {
    const admin = await fresh('u_admin', 't_demo');
    const own = await t.call('PUT', `/v1/tenants/t_demo/flags/${LIVE}`, {
      token: admin,
      headers: { 'X-Tenant-Id': 't_demo', 'If-Match': '"1"' },
      body: { enabled: false },
    });
    expectStatus(own, 403, 'FLAG_NOT_OVERRIDABLE');
    const other = await t.call('PUT', `/v1/tenants/t_acme/flags/${LIVE}`, {
      token: admin,
      headers: { 'X-Tenant-Id': 't_demo' },
      body: { enabled: true },
    });
    expectStatus(other, 400, 'CONTEXT_MISMATCH');
    const trader = await fresh('u_navigator', 't_demo');
    const notAdmin = await t.call('PUT', '/v1/flags/trading.live', {
      token: trader,
      headers: { 'X-Tenant-Id': 't_demo' },
      body: { enabled: true },
    });
    expect(notAdmin.status, notAdmin.text).toBe(403);
  });

  it('bad input: an unknown flag is 404, a malformed key or rule is 400 with the field', async () => {
    expectStatus(await systemPut('/v1/flags/trading.nonesuch', { enabled: true }), 404, 'FLAG_NOT_FOUND');
    const malformed = await systemPut('/v1/flags/NotAKey', { enabled: true });
    expectStatus(malformed, 400);
    expect(JSON.stringify(malformed.body.errors)).toContain('params.flag');
    const badRule = await systemPut(`/v1/flags/${LIVE}`, {
      enabled: true,
      rules: [{ tiers: ['admiral'], enabled: true }],
    });
    expectStatus(badRule, 400);
    expect(JSON.stringify(badRule.body.errors)).toContain('body.rules.0.tiers.0');
    expectStatus(await systemPut(`/v1/flags/${LIVE}`, { enabled: true, extra: 1 }), 400);
  });

  it('a system admin enables LIVE for t_acme; rules by tier; the change is audited and undone', async () => {
    const created = await systemPut(`/v1/tenants/t_acme/flags/${LIVE}`, { enabled: true });
    expectStatus(created, 201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/tenants/t_acme/flags/${LIVE}`);
    const acme = await t.token('u_acme', 't_acme', '1h');
    expect((await liveFlag(acme, 't_acme', 'p_acme')).effective).toEqual({ enabled: true, source: 'tenant' });
    const opened = await acmeLiveAccount();
    expectStatus(opened, 201);

    // an existing override needs If-Match; a rule for operators (u_acme's tier) turns it off for them
    expectStatus(await systemPut(`/v1/tenants/t_acme/flags/${LIVE}`, { enabled: true }), 428, 'IF_MATCH_REQUIRED');
    const ruled = await systemPut(
      `/v1/tenants/t_acme/flags/${LIVE}`,
      { enabled: true, rules: [{ tiers: ['operator'], enabled: false }] },
      { 'If-Match': '"1"' },
    );
    expectStatus(ruled, 200);
    expect((await liveFlag(acme, 't_acme', 'p_acme')).effective).toEqual({ enabled: false, source: 'tenant-rule' });
    expectStatus(await acmeLiveAccount(), 403, 'FEATURE_DISABLED');

    const removed = await t.call('DELETE', `/v1/tenants/t_acme/flags/${LIVE}`, {
      token: await fresh('u_system', 't_system'),
      headers: { 'X-Tenant-Id': 't_system', 'If-Match': '"2"' },
    });
    expectStatus(removed, 204);
    expect((await liveFlag(acme, 't_acme', 'p_acme')).effective).toEqual({ enabled: false, source: 'default' });
  });

  it('a global rule by env applies to every tenant without an override; the audit trail keeps it', async () => {
    const set = await systemPut(`/v1/flags/${LIVE}`, { enabled: false, rules: [{ envs: ['dev'], enabled: true }] });
    expectStatus(set, 201);
    const acme = await t.token('u_acme', 't_acme', '1h');
    expect((await liveFlag(acme, 't_acme', 'p_acme')).effective).toEqual({ enabled: true, source: 'global-rule' });
    const audit = await t.call('GET', '/v1/audit?action=flag.set', {
      token: await t.token('u_system', 't_system', '1h'),
      headers: { 'X-Tenant-Id': 't_system' },
    });
    expectStatus(audit, 200);
    const records = audit.body.items as unknown as Array<{ resource: string; after: { enabled: boolean } }>;
    expect(records.some((r) => r.resource === `flag/global/${LIVE}` && r.after.enabled === false)).toBe(true);
    // back to the default, for the other tests
    const undo = await systemPut(`/v1/flags/${LIVE}`, { enabled: false }, { 'If-Match': '"1"' });
    expectStatus(undo, 200);
  });

  it('with the demo override turned off, a LIVE order is refused before it reaches the broker', async () => {
    const nav = await fresh('u_navigator', 't_demo');
    const P = { 'X-Project-Id': 'p_demo' };
    const pf = await t.call('POST', '/v1/portfolios', {
      token: nav,
      headers: { ...P, 'Idempotency-Key': key() },
      body: { name: 'Live', baseCurrency: 'USD', cash: '100000.00' },
    });
    expectStatus(pf, 201);
    const account = await t.call('POST', '/v1/accounts', {
      token: nav,
      headers: { ...P, 'Idempotency-Key': key() },
      body: { name: 'Live', venue: 'LIVE', portfolioId: pf.body.portfolioId, confirm: true, reason: 'go live' },
    });
    expectStatus(account, 201);
    const accountId = String(account.body.accountId);
    const auto = await t.call('PUT', `/v1/accounts/${accountId}/mode`, {
      token: nav,
      headers: { ...P, 'If-Match': '"1"' },
      body: { mode: 'AUTONOMOUS', confirm: true, reason: 'trade it' },
    });
    expectStatus(auto, 200);
    const demoFlag = await liveFlag(nav, 't_demo', 'p_demo');
    const version = demoFlag.override?.version ?? 0;
    const off = await systemPut(`/v1/tenants/t_demo/flags/${LIVE}`, { enabled: false }, { 'If-Match': `"${version}"` });
    expectStatus(off, 200);
    const sentBefore = t.rt.broker.orders().length;
    const order = await t.call('POST', '/v1/orders', {
      token: nav,
      headers: { ...P, 'Idempotency-Key': key() },
      body: {
        accountId,
        symbol: 'AAPL',
        side: 'buy',
        type: 'limit',
        quantity: '1',
        limitPrice: '100',
        timeInForce: 'day',
      },
    });
    expectStatus(order, 403, 'FEATURE_DISABLED');
    expect(t.rt.broker.orders().length).toBe(sentBefore);
    const on = await systemPut(
      `/v1/tenants/t_demo/flags/${LIVE}`,
      { enabled: true },
      { 'If-Match': `"${version + 1}"` },
    );
    expectStatus(on, 200);
  });
});
