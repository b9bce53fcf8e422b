import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Playbooks and the trading cycle over HTTP: versioned playbooks with only their three moves and
 * one active per (strategy, symbol, account); a cycle's four steps each a decision; GUIDE never
 * reaching the broker; AUTONOMOUS placing the order; the tenant's halt switch stopping manual and
 * scheduled cycles at the supervisor; agent health turning unhealthy and recovering.
 */

let t: TestRuntime;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `automation-test-${++keySeq}-${Date.now()}`;
const DAY = 86_400_000;
/** a Tuesday, mid-morning UTC; the tests move it forward only */
let clock = Date.UTC(2027, 4, 4, 10, 0, 1);
const minutes = (n: number) => {
  clock += n * 60_000;
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
beforeEach(() => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
  t.rt.broker.reset();
});
afterAll(async () => {
  await t.stop();
});

/** every call mints its token on the clock of the moment (the clock jumps hours) */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as = 'nav') {
  const user = as === 'admin' ? 'u_admin' : 'u_navigator';
  const token = await t.token(user, 't_demo', '1h');
  return t.call(method, path, { token, headers: { ...P, ...headers }, body });
}
const get = (path: string) => call('GET', path);
const post = (path: string, body: unknown, headers: Record<string, string> = {}) => call('POST', path, body, headers);

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** A rising daily series up to yesterday: buyAndHold signals long at its last close. */
async function candles(symbol: string, days = 60) {
  const end = Math.floor(clock / DAY) * DAY;
  const bars = Array.from({ length: days }, (_, i) => {
    const close = (100 + i).toFixed(2);
    return {
      time: new Date(end - (days - i) * DAY).toISOString().slice(0, 10),
      open: close,
      high: (100 + i + 1).toFixed(2),
      low: (100 + i - 1).toFixed(2),
      close,
      volume: '1000',
    };
  });
  expectStatus(await call('PUT', `/v1/market-data/candles/${symbol}/1day`, { candles: bars }, {}, 'admin'), 200);
  return bars[bars.length - 1].close;
}

async function simAccount(mode: 'GUIDE' | 'AUTONOMOUS') {
  const r = await post(
    '/v1/accounts',
    { name: 'Automation', venue: 'SIMULATION', simulation: { slippageBps: 0 } },
    { 'Idempotency-Key': key() },
  );
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  if (mode === 'AUTONOMOUS') {
    const m = await call(
      'PUT',
      `/v1/accounts/${accountId}/mode`,
      { mode, reason: 'automation' },
      { 'If-Match': '"1"' },
    );
    expectStatus(m, 200);
  }
  return accountId;
}

async function paperAccount(mode: 'GUIDE' | 'AUTONOMOUS' = 'GUIDE') {
  const pf = await post('/v1/portfolios', { name: 'Paper book', baseCurrency: 'USD', cash: '100000.00' });
  expectStatus(pf, 201);
  const r = await post(
    '/v1/accounts',
    { name: 'Paper', venue: 'PAPER', portfolioId: pf.body.portfolioId },
    { 'Idempotency-Key': key() },
  );
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  if (mode === 'AUTONOMOUS') {
    const m = await call('PUT', `/v1/accounts/${accountId}/mode`, { mode, reason: 'paper' }, { 'If-Match': '"1"' });
    expectStatus(m, 200);
  }
  return accountId;
}

const price = (accountId: string, symbol: string, value: string) =>
  post(`/v1/accounts/${accountId}/prices`, { prices: [{ symbol, price: value }] });

async function playbook(fields: Record<string, unknown>) {
  const r = await post('/v1/playbooks', { name: 'Test playbook', strategy: 'buyAndHold', interval: '1day', ...fields });
  expectStatus(r, 201);
  return r.body as Record<string, unknown> & { playbookId: string; version: number };
}

async function active(fields: Record<string, unknown>) {
  const made = await playbook(fields);
  const r = await post(`/v1/playbooks/${made.playbookId}/activate`, {});
  expectStatus(r, 200);
  return made.playbookId;
}

const cycle = (playbookId: string) => post('/v1/automation/cycles', { playbookId }, { 'Idempotency-Key': key() });
const stepsOf = (r: CallResult) =>
  ((r.body.steps ?? []) as Array<{ step: string; outcome: string; code: string }>).map((s) => [
    s.step,
    s.outcome,
    s.code,
  ]);
const tick = async () => {
  const r = await t.call('POST', '/_local/tick', { body: { at: new Date(clock).toISOString() } });
  expectStatus(r, 200);
};

describe('playbooks', () => {
  it('CRUD with If-Match: every change is a version, the old ones stay readable; drafts delete', async () => {
    const accountId = await simAccount('GUIDE');
    const made = await playbook({ symbol: 'PBCRUD', accountId, strategy: 'smaCross', params: { fast: 5 } });
    expect(made).toMatchObject({ status: 'draft', version: 1, symbol: 'PBCRUD', accountId, maxOrdersPerDay: 5 });
    expect(made.params).toMatchObject({ fast: 5 });
    const path = `/v1/playbooks/${made.playbookId}`;
    const read = await get(path);
    expectStatus(read, 200);
    expect(read.headers.get('etag')).toBe('"1"');

    expectStatus(await call('PATCH', path, { notes: 'x' }), 428);
    expectStatus(await call('PATCH', path, { notes: 'x' }, { 'If-Match': '"7"' }), 412, 'VERSION_MISMATCH');
    const bad = await call('PATCH', path, { params: { fast: 'quick' } }, { 'If-Match': '"1"' });
    expectStatus(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors?.map((e) => e.path)).toEqual(['body.params.fast']);
    const patched = await call('PATCH', path, { params: { fast: 8 }, notes: 'faster' }, { 'If-Match': '"1"' });
    expectStatus(patched, 200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(patched.body).toMatchObject({ version: 2, notes: 'faster', params: { fast: 8 } });
    const cleared = await call('PATCH', path, { notes: null, strategy: 'buyAndHold' }, { 'If-Match': '"2"' });
    expectStatus(cleared, 200);
    expect(cleared.body.notes).toBeUndefined();
    // a new strategy without params takes its own defaults
    expect(cleared.body.params).toEqual({});

    const versions = await get(`${path}/versions`);
    expectStatus(versions, 200);
    expect(versions.body.items?.map((v) => [v.version, v.strategy, v.notes ?? null])).toEqual([
      [3, 'buyAndHold', null],
      [2, 'smaCross', 'faster'],
      [1, 'smaCross', null],
    ]);
    const drafts = await get('/v1/playbooks?status=draft&limit=200');
    expect(drafts.body.items?.map((p) => p.playbookId)).toContain(made.playbookId);
    const actives = await get('/v1/playbooks?status=active&limit=200');
    expect(actives.body.items?.map((p) => p.playbookId)).not.toContain(made.playbookId);

    expectStatus(await call('DELETE', path, undefined, { 'If-Match': '"2"' }), 412);
    expectStatus(await call('DELETE', path, undefined, { 'If-Match': '"3"' }), 204);
    expectStatus(await get(path), 404, 'PLAYBOOK_NOT_FOUND');
    expectStatus(await get(`${path}/versions`), 404, 'PLAYBOOK_NOT_FOUND');
  });

  it('only draft → active → retired (and draft → retired); anything else is 409 with from and to', async () => {
    const accountId = await simAccount('GUIDE');
    const made = await playbook({ symbol: 'PBMOVE', accountId });
    const path = `/v1/playbooks/${made.playbookId}`;
    expectStatus(await post(`${path}/retire`, {}, { 'If-Match': '"5"' }), 412);
    const on = await post(`${path}/activate`, {}, { 'If-Match': '"1"' });
    expectStatus(on, 200);
    expect(on.body).toMatchObject({ status: 'active', version: 2 });
    const again = await post(`${path}/activate`, {});
    expectStatus(again, 409, 'PLAYBOOK_TRANSITION');
    expect(again.body).toMatchObject({ from: 'active', to: 'active' });
    expectStatus(await call('DELETE', path, undefined, { 'If-Match': '"2"' }), 409, 'PLAYBOOK_NOT_DRAFT');
    const off = await post(`${path}/retire`, { reason: 'done with it' });
    expectStatus(off, 200);
    expect(off.body).toMatchObject({ status: 'retired', version: 3 });
    const back = await post(`${path}/activate`, {});
    expectStatus(back, 409, 'PLAYBOOK_TRANSITION');
    expect(back.body).toMatchObject({ from: 'retired', to: 'active' });
    expectStatus(await post(`${path}/retire`, {}), 409, 'PLAYBOOK_TRANSITION');
    expectStatus(await call('PATCH', path, { notes: 'x' }, { 'If-Match': '"3"' }), 409, 'PLAYBOOK_RETIRED');
    expectStatus(await cycle(made.playbookId), 409, 'PLAYBOOK_NOT_ACTIVE');

    const draft = await playbook({ symbol: 'PBMOVE', accountId });
    expectStatus(await cycle(draft.playbookId), 409, 'PLAYBOOK_NOT_ACTIVE');
    const retired = await post(`/v1/playbooks/${draft.playbookId}/retire`, {});
    expectStatus(retired, 200);
    expect(retired.body.status).toBe('retired');
  });

  it('one active playbook per strategy, symbol and account, even when two activate at once', async () => {
    const accountId = await simAccount('GUIDE');
    const other = await simAccount('GUIDE');
    const [a, b] = [await playbook({ symbol: 'PBONE', accountId }), await playbook({ symbol: 'PBONE', accountId })];
    const both = await Promise.all([a, b].map((p) => post(`/v1/playbooks/${p.playbookId}/activate`, {})));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = both.find((r) => r.status === 409)!;
    expect(loser.body.code).toBe('PLAYBOOK_ACTIVE_EXISTS');
    const winner = both[0].status === 200 ? a : b;
    const waiting = winner === a ? b : a;
    // the same strategy on another symbol or another account is another slot
    await active({ symbol: 'PBTWO', accountId });
    await active({ symbol: 'PBONE', accountId: other });
    expectStatus(await post(`/v1/playbooks/${winner.playbookId}/retire`, {}), 200);
    expectStatus(await post(`/v1/playbooks/${waiting.playbookId}/activate`, {}), 200);
    // moving an active playbook onto a taken slot is refused the same way
    const third = await active({ symbol: 'PBTHREE', accountId });
    const moved = await call('PATCH', `/v1/playbooks/${third}`, { symbol: 'PBONE' }, { 'If-Match': '"2"' });
    expectStatus(moved, 409, 'PLAYBOOK_ACTIVE_EXISTS');
  });

  it('bad inputs → 400 with field paths; a foreign account → 422 naming body.accountId', async () => {
    const accountId = await simAccount('GUIDE');
    const base = { name: 'Bad', strategy: 'buyAndHold', symbol: 'PBBAD', interval: '1day', accountId };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, strategy: 'martingale' }, 'body.strategy'],
      [{ ...base, symbol: 'lower case' }, 'body.symbol'],
      [{ ...base, interval: '2day' }, 'body.interval'],
      [{ ...base, accountId: 'nope' }, 'body.accountId'],
      [{ ...base, strategy: 'smaCross', params: { fast: -3 } }, 'body.params.fast'],
      [
        { ...base, schedule: { kind: 'calendar', frequency: 'weekly', timeOfDay: '09:30', timezone: 'UTC' } },
        'body.schedule.dayOfWeek',
      ],
      [{ ...base, schedule: { kind: 'interval', every: '7min' } }, 'body.schedule.every'],
      [{ ...base, sizing: { kind: 'quantity', quantity: '-1' } }, 'body.sizing.quantity'],
      [{ ...base, maxOrdersPerDay: 21 }, 'body.maxOrdersPerDay'],
      [{ ...base, sourceOptimisationId: 'bt_1' }, 'body.sourceOptimisationId'],
    ];
    for (const [body, path] of cases) {
      const r = await post('/v1/playbooks', body);
      expectStatus(r, 400);
      expect(
        r.body.errors?.map((e) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const ghost = await post('/v1/playbooks', { ...base, accountId: 'ac_00000000000000000000000000' });
    expectStatus(ghost, 422, 'ACCOUNT_NOT_FOUND');
    expect(ghost.body.errors?.map((e) => e.path)).toEqual(['body.accountId']);
    const ok = await playbook({ ...base, sourceOptimisationId: 'op_01HXYZ' });
    expect(ok.sourceOptimisationId).toBe('op_01HXYZ');
    expectStatus(await post('/v1/automation/cycles', { playbookId: 'x' }, { 'Idempotency-Key': key() }), 400);
    expectStatus(await post('/v1/automation/cycles', { playbookId: ok.playbookId }), 400);
    expectStatus(await cycle('pb_00000000000000000000000000'), 404, 'PLAYBOOK_NOT_FOUND');
    expectStatus(await get('/v1/automation/cycles/cy_00000000000000000000000000'), 404, 'CYCLE_NOT_FOUND');
    expectStatus(await get('/v1/automation/decisions?cycleId=nope'), 400);
  });
});

describe('the trading cycle', () => {
  it('GUIDE on a PAPER account: four decisions, a preview, and the broker hears nothing', async () => {
    const close = await candles('CYGUIDE');
    const accountId = await paperAccount();
    const playbookId = await active({ symbol: 'CYGUIDE', accountId });
    const before = t.rt.broker.requests.length;
    const r = await cycle(playbookId);
    expectStatus(r, 201);
    expect(stepsOf(r)).toEqual([
      ['supervisor', 'proceed', 'CLEARED'],
      ['strategy', 'proceed', 'SIGNAL'],
      ['risk', 'proceed', 'RISK_APPROVED'],
      ['execution', 'proceed', 'ORDER_PREVIEWED'],
    ]);
    expect(r.body).toMatchObject({ status: 'completed', mode: 'GUIDE', venue: 'PAPER', source: 'manual' });
    expect(r.body.signal).toMatchObject({ side: 'long' });
    expect(Number((r.body.signal as { entry: string }).entry)).toBe(Number(close));
    expect(t.rt.broker.requests.length - before).toBe(0);
    expect(t.rt.broker.ordersPosted()).toBe(0);
    const order = r.body.order as { orderId: string; status: string };
    expect(order.status).toBe('previewed');
    const stored = await get(`/v1/orders/${order.orderId}`);
    expectStatus(stored, 200);
    expect(stored.body).toMatchObject({ status: 'previewed', strategy: 'buyAndHold', type: 'limit' });
    expect(Number(stored.body.limitPrice)).toBe(Number(close));
    // the fallback exits: 2% below and 4% above the entry
    expect(Number(stored.body.stopLoss)).toBeCloseTo(Number(close) * 0.98, 6);
    expect(Number(stored.body.takeProfit)).toBeCloseTo(Number(close) * 1.04, 6);

    const cycleId = String(r.body.cycleId);
    expect(r.headers.get('location')).toBe(`/v1/automation/cycles/${cycleId}`);
    const read = await get(`/v1/automation/cycles/${cycleId}`);
    expectStatus(read, 200);
    expect(stepsOf(read)).toEqual(stepsOf(r));
    const decisions = await get(`/v1/automation/decisions?cycleId=${cycleId}`);
    expect(decisions.body.items?.map((d) => d.step)).toEqual(['execution', 'risk', 'strategy', 'supervisor']);
    for (const d of decisions.body.items ?? []) {
      expect(typeof d.reasoning).toBe('string');
      expect(Object.keys(d.inputs as object).length, String(d.step)).toBeGreaterThan(0);
    }
    const byPlaybook = await get(`/v1/automation/decisions?playbookId=${playbookId}&limit=2`);
    expect(byPlaybook.body.items?.map((d) => d.step)).toEqual(['execution', 'risk']);
    const cycles = await get(`/v1/automation/cycles?playbookId=${playbookId}`);
    expect(cycles.body.items?.map((c) => c.cycleId)).toEqual([cycleId]);
  });

  it('AUTONOMOUS on SIMULATION: the order is placed and fills; the next cycle sees the position', async () => {
    const close = await candles('CYAUTO');
    const accountId = await simAccount('AUTONOMOUS');
    expectStatus(await price(accountId, 'CYAUTO', close), 200);
    const playbookId = await active({ symbol: 'CYAUTO', accountId, sizing: { kind: 'notional', notional: '500' } });
    const once = key();
    const r = await post('/v1/automation/cycles', { playbookId }, { 'Idempotency-Key': once });
    expectStatus(r, 201);
    // a retry with the same key is the first answer, not a second order
    const replay = await post('/v1/automation/cycles', { playbookId }, { 'Idempotency-Key': once });
    expectStatus(replay, 201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.cycleId).toBe(r.body.cycleId);
    const cycles = await get(`/v1/automation/cycles?playbookId=${playbookId}`);
    expect(cycles.body.items).toHaveLength(1);
    expect(r.body.status, r.text).toBe('completed');
    expect(stepsOf(r).at(-1)).toEqual(['execution', 'proceed', 'ORDER_PLACED']);
    const order = r.body.order as { orderId: string; quantity: string };
    // 500 of money at the entry, whole units
    expect(order.quantity).toBe(String(Math.floor(500 / Number(close))));
    const stored = await get(`/v1/orders/${order.orderId}`);
    expect(stored.body).toMatchObject({ status: 'filled', venue: 'SIMULATION', mode: 'AUTONOMOUS' });
    const next = await cycle(playbookId);
    expect(stepsOf(next).at(-1)).toEqual(['strategy', 'stop', 'ALREADY_IN_POSITION']);
    expect(next.body.status).toBe('stopped');
  });

  it('AUTONOMOUS on PAPER: the order goes to the broker, its bracket with it', async () => {
    const close = await candles('CYPAPER');
    t.rt.broker.setPrice('CYPAPER', close);
    const accountId = await paperAccount('AUTONOMOUS');
    const playbookId = await active({ symbol: 'CYPAPER', accountId });
    const r = await cycle(playbookId);
    expectStatus(r, 201);
    expect(r.body.status, r.text).toBe('completed');
    expect(t.rt.broker.ordersPosted()).toBe(1);
    const [sent] = t.rt.broker.orders();
    expect(sent).toMatchObject({ symbol: 'CYPAPER', side: 'buy', type: 'limit', order_class: 'bracket' });
    expect(Number(sent.limit_price)).toBe(Number(close));
  });

  it('a halted tenant: manual and scheduled cycles stop at the supervisor until resumed', async () => {
    const close = await candles('CYHALT');
    const accountId = await simAccount('GUIDE');
    expectStatus(await price(accountId, 'CYHALT', close), 200);
    const playbookId = await active({ symbol: 'CYHALT', accountId, schedule: { kind: 'interval', every: '1h' } });
    expectStatus(await post('/v1/automation/halt', { reason: 'market turmoil' }), 403);
    const stale = await t.token('u_admin', 't_demo', '1h', { authTime: Math.floor(clock / 1000) - 600 });
    const refused = await t.call('POST', '/v1/automation/halt', {
      token: stale,
      headers: P,
      body: { reason: 'turmoil' },
    });
    expectStatus(refused, 401, 'FRESH_LOGIN_REQUIRED');
    const halted = await call('POST', '/v1/automation/halt', { reason: 'market turmoil' }, {}, 'admin');
    expectStatus(halted, 200);
    expect(halted.body).toMatchObject({ halted: true, reason: 'market turmoil', by: 'u_admin' });

    const manual = await cycle(playbookId);
    expectStatus(manual, 201);
    expect(stepsOf(manual)).toEqual([['supervisor', 'stop', 'AUTOMATION_HALTED']]);
    expect(manual.body).toMatchObject({ status: 'stopped', endedAt: 'supervisor', code: 'AUTOMATION_HALTED' });
    const health = await get('/v1/automation/health');
    expect(health.body).toMatchObject({ halted: true, haltReason: 'market turmoil', healthy: false });

    // the next full hour: the scheduled run is halted too
    clock = (Math.floor(clock / 3_600_000) + 1) * 3_600_000 + 5_000;
    await tick();
    const cycles = await get(`/v1/automation/cycles?playbookId=${playbookId}`);
    const scheduled = cycles.body.items?.find((c) => c.source === 'schedule');
    expect(scheduled, JSON.stringify(cycles.body.items)).toMatchObject({
      status: 'stopped',
      code: 'AUTOMATION_HALTED',
    });

    const resumed = await call('POST', '/v1/automation/resume', { reason: 'calm again' }, {}, 'admin');
    expectStatus(resumed, 200);
    expect(resumed.body.halted).toBe(false);
    const after = await cycle(playbookId);
    expect(after.body.status, after.text).toBe('completed');
  });

  it('a schedule runs its slot once, books the next, and a missed slot is a missing heartbeat', async () => {
    const close = await candles('CYSLOT');
    const accountId = await simAccount('GUIDE');
    expectStatus(await price(accountId, 'CYSLOT', close), 200);
    const playbookId = await active({ symbol: 'CYSLOT', accountId, schedule: { kind: 'interval', every: '1h' } });
    const agentOf = async () => {
      const h = await get('/v1/automation/health');
      return (h.body.agents as Array<Record<string, unknown>>).find((a) => a.playbookId === playbookId)!;
    };
    const slot = (Math.floor(clock / 3_600_000) + 1) * 3_600_000;
    expect((await agentOf()).nextRunAt).toBe(new Date(slot).toISOString());
    clock = slot + 10_000;
    await tick();
    await tick();
    const cycles = await get(`/v1/automation/cycles?playbookId=${playbookId}`);
    expect(cycles.body.items?.map((c) => [c.source, c.slot, c.status])).toEqual([
      ['schedule', new Date(slot).toISOString(), 'completed'],
    ]);
    const agent = await agentOf();
    expect(agent).toMatchObject({ healthy: true, nextRunAt: new Date(slot + 3_600_000).toISOString() });
    expect(agent.successCount).toBe(1);

    // the next slot passes without a run (the scheduler is not reaching it): no heartbeat
    clock = slot + 3_600_000 + 61_000;
    const missed = await agentOf();
    expect(missed.healthy).toBe(false);
    expect((missed.problems as Array<{ code: string }>).map((p) => p.code)).toEqual(['NO_HEARTBEAT']);
    const manual = await cycle(playbookId);
    expect(stepsOf(manual)).toEqual([['supervisor', 'stop', 'AGENT_UNHEALTHY']]);
    await tick();
    expect((await agentOf()).healthy).toBe(true);
  });

  it('an agent whose cycles keep failing turns unhealthy, is gated, and recovers as errors age out', async () => {
    const accountId = await simAccount('GUIDE');
    // no candles for this symbol yet: the strategy step cannot work
    const playbookId = await active({ symbol: 'CYSICK', accountId });
    for (let i = 0; i < 3; i++) {
      const r = await cycle(playbookId);
      expectStatus(r, 201);
      expect(r.body).toMatchObject({ status: 'failed', endedAt: 'strategy', code: 'NOT_ENOUGH_CANDLES' });
      minutes(1);
    }
    const sick = await get('/v1/automation/health');
    const agent = (sick.body.agents as Array<Record<string, unknown>>).find((a) => a.playbookId === playbookId)!;
    expect(agent).toMatchObject({ healthy: false, errorCount: 3, successCount: 0 });
    expect(agent.window).toEqual({ runs: 3, errors: 3, errorRate: 1 });
    expect(sick.body.healthy).toBe(false);
    const gated = await cycle(playbookId);
    expect(stepsOf(gated)).toEqual([['supervisor', 'stop', 'AGENT_UNHEALTHY']]);

    const close = await candles('CYSICK');
    expectStatus(await price(accountId, 'CYSICK', close), 200);
    minutes(61);
    const well = await get('/v1/automation/health');
    const recovered = (well.body.agents as Array<Record<string, unknown>>).find((a) => a.playbookId === playbookId)!;
    expect(recovered).toMatchObject({ healthy: true, errorCount: 3 });
    const ok = await cycle(playbookId);
    expect(ok.body.status, ok.text).toBe('completed');
  });

  it("another tenant's or project's ids → 404, and their lists are empty", async () => {
    const close = await candles('CYMINE');
    const accountId = await simAccount('GUIDE');
    expectStatus(await price(accountId, 'CYMINE', close), 200);
    const playbookId = await active({ symbol: 'CYMINE', accountId });
    const ran = await cycle(playbookId);
    const cycleId = String(ran.body.cycleId);
    expectStatus(
      await t.call('POST', '/v1/tenants/t_demo/projects', {
        token: await t.token('u_admin', 't_demo', '1h'),
        body: { projectId: 'p_automation_other', name: 'Another project' },
      }),
      201,
    );
    const outsiders = [
      { token: await t.token('u_acme', 't_acme', '1h'), project: 'p_acme' },
      { token: await t.token('u_navigator', 't_demo', '1h'), project: 'p_automation_other' },
    ];
    for (const o of outsiders) {
      const headers = { 'X-Project-Id': o.project, 'Idempotency-Key': key(), 'If-Match': '"2"' };
      for (const [method, path, body] of [
        ['GET', `/v1/playbooks/${playbookId}`],
        ['GET', `/v1/playbooks/${playbookId}/versions`],
        ['PATCH', `/v1/playbooks/${playbookId}`, { notes: 'mine now' }],
        ['POST', `/v1/playbooks/${playbookId}/retire`, {}],
        ['POST', '/v1/automation/cycles', { playbookId }],
        ['GET', `/v1/automation/cycles/${cycleId}`],
      ] as Array<[string, string, unknown?]>) {
        const r = await t.call(method, path, { token: o.token, headers, body });
        expectStatus(r, 404);
      }
      for (const path of [
        `/v1/automation/decisions?cycleId=${cycleId}`,
        `/v1/automation/cycles?playbookId=${playbookId}`,
        '/v1/playbooks',
      ]) {
        const list = await t.call('GET', path, { token: o.token, headers: { 'X-Project-Id': o.project } });
        expectStatus(list, 200);
        expect(list.body.items).toEqual([]);
      }
    }
    expect((await get(`/v1/playbooks/${playbookId}`)).body.status).toBe('active');
  });
});
