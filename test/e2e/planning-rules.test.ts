import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallResult, startRuntime, type TestRuntime } from '../support/runtime.js';

/** Trade rules over HTTP on the local runtime: CRUD, DCA runs on their days, stop-loss sells, isolation. */

let t: TestRuntime;
const P = { 'X-Project-Id': 'p_demo' };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NY = 'America/New_York';
let keySeq = 0;
const key = () => `rules-test-${++keySeq}-${Date.now()}`;
// the runtime's one clock, only ever moved forward (due work, tokens and rate windows read it)
let clock = Math.floor(Date.now() / MINUTE) * MINUTE + 1_000;
const nextMinute = () => {
  clock = (Math.floor(clock / MINUTE) + 1) * MINUTE + 1_000;
};
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
beforeEach(nextMinute);
afterAll(async () => {
  await t.stop();
});

// tokens are minted on the clock as it is now: the tests travel days ahead
const nav = () => t.token('u_navigator', 't_demo', '1h');
const call = async (
  method: string,
  path: string,
  body?: unknown,
  o: { token?: string; headers?: Record<string, string> } = {},
) => t.call(method, path, { token: o.token ?? (await nav()), headers: { ...P, ...o.headers }, body });
const get = (path: string, token?: string) => call('GET', path, undefined, token ? { token } : {});
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', path, body, { headers: { 'Idempotency-Key': key(), ...headers } });

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

async function simAccount(autonomous = true) {
  const r = await post('/v1/accounts', { name: 'Rules', venue: 'SIMULATION', simulation: { slippageBps: 0 } });
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  if (autonomous) {
    const m = await call(
      'PUT',
      `/v1/accounts/${accountId}/mode`,
      { mode: 'AUTONOMOUS', reason: 'rules test' },
      {
        headers: { 'If-Match': '"1"' },
      },
    );
    expectStatus(m, 200);
  }
  return { accountId, pf: String(r.body.portfolioId) };
}

const postPrice = async (accountId: string, symbol: string, price: string) =>
  expectStatus(await call('POST', `/v1/accounts/${accountId}/prices`, { prices: [{ symbol, price }] }), 200);

/** Dispatches what is due at the clock and runs the workers; no planning job may fail. */
async function tick() {
  const report = await t.rt.jobs.tick();
  const failed = Object.keys(report.failed).filter((job) => job.startsWith('planning.'));
  expect(failed, JSON.stringify(report)).toEqual([]);
  return report;
}

const ordersOf = async (accountId: string) => {
  const r = await get(`/v1/orders?accountId=${accountId}&limit=200`);
  expectStatus(r, 200);
  return r.body.items ?? [];
};
const runsOf = async (pf: string, ruleId: string) => {
  const r = await get(`/v1/portfolios/${pf}/rules/${ruleId}/runs`);
  expectStatus(r, 200);
  return r.body.items ?? [];
};
const ruleAt = async (pf: string, ruleId: string) => {
  const r = await get(`/v1/portfolios/${pf}/rules/${ruleId}`);
  expectStatus(r, 200);
  return r.body;
};

/** 'HH:MM' in `timeZone` at `ms`. */
const localTime = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

const dcaBody = (accountId: string, extra: Record<string, unknown> = {}) => ({
  kind: 'dca',
  accountId,
  symbol: 'AAPL',
  amount: '1000',
  frequency: 'daily',
  timeOfDay: '10:00',
  timezone: NY,
  ...extra,
});
const stopBody = (accountId: string, extra: Record<string, unknown> = {}) => ({
  kind: 'stop_loss',
  accountId,
  symbol: 'VTI',
  stopPct: '10',
  ...extra,
});

async function createRule(pf: string, body: Record<string, unknown>) {
  const r = await post(`/v1/portfolios/${pf}/rules`, body);
  expectStatus(r, 201);
  return r;
}

/** A daily DCA whose first run is about two hours from now, at a New York local time. */
async function dcaInTwoHours(accountId: string, pf: string, extra: Record<string, unknown> = {}) {
  const timeOfDay = localTime(clock + 2 * HOUR, NY);
  const r = await createRule(pf, dcaBody(accountId, { timeOfDay, ...extra }));
  const at = Date.parse(String(r.body.nextRunAt));
  // the first run is that local time today (or tomorrow), whatever the zone's offset is now
  expect(at - clock).toBeGreaterThan(2 * HOUR - MINUTE);
  expect(at - clock).toBeLessThanOrEqual(2 * HOUR);
  expect(localTime(at, NY)).toBe(timeOfDay);
  return { ruleId: String(r.body.ruleId), at, timeOfDay };
}

describe('rules: create, read, replace, delete', () => {
  it('201 with ETag and Location; If-Match on replace and delete; the kind cannot change', async () => {
    const { accountId, pf } = await simAccount(false);
    const created = await createRule(pf, dcaBody(accountId, { maxPrice: '250' }));
    const ruleId = String(created.body.ruleId);
    expect(ruleId).toMatch(/^rl_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/portfolios/${pf}/rules/${ruleId}`);
    expect(created.body).toMatchObject({
      portfolioId: pf,
      accountId,
      kind: 'dca',
      symbol: 'AAPL',
      enabled: true,
      dca: { amount: '1000', maxPrice: '250', fractional: false, frequency: 'daily', timeOfDay: '10:00', timezone: NY },
      version: 1,
    });
    const next = Date.parse(String(created.body.nextRunAt));
    expect(next).toBeGreaterThan(clock);
    expect(next - clock).toBeLessThanOrEqual(DAY + HOUR);
    expect(localTime(next, NY)).toBe('10:00');

    const path = `/v1/portfolios/${pf}/rules/${ruleId}`;
    const read = await get(path);
    expectStatus(read, 200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body).toEqual(created.body);
    const list = await get(`/v1/portfolios/${pf}/rules`);
    expectStatus(list, 200);
    expect(list.body.items?.map((r) => r.ruleId)).toEqual([ruleId]);

    const replacement = dcaBody(accountId, { amount: '500', enabled: false });
    expectStatus(await call('PUT', path, replacement), 428, 'IF_MATCH_REQUIRED');
    expectStatus(await call('PUT', path, replacement, { headers: { 'If-Match': '"7"' } }), 412, 'VERSION_MISMATCH');
    expectStatus(
      await call('PUT', path, stopBody(accountId), { headers: { 'If-Match': '"1"' } }),
      422,
      'RULE_KIND_IMMUTABLE',
    );
    const replaced = await call('PUT', path, replacement, { headers: { 'If-Match': '"1"' } });
    expectStatus(replaced, 200);
    expect(replaced.headers.get('etag')).toBe('"2"');
    // a full replace: the price ceiling the body leaves out is gone; disabled, it has no next run
    expect(replaced.body).toMatchObject({ enabled: false, nextRunAt: null, version: 2, dca: { amount: '500' } });
    expect(replaced.body.dca).not.toHaveProperty('maxPrice');

    const stop = await createRule(pf, stopBody(accountId));
    expect(stop.body).toMatchObject({ kind: 'stop_loss', stopLoss: { stopPct: '10' }, enabled: true, version: 1 });
    expect(stop.body).not.toHaveProperty('dca');
    const both = await get(`/v1/portfolios/${pf}/rules?limit=1`);
    expect(both.body.items?.map((r) => r.ruleId)).toEqual([stop.body.ruleId]);
    const rest = await get(`/v1/portfolios/${pf}/rules?limit=1&cursor=${String(both.body.nextCursor)}`);
    expect(rest.body.items?.map((r) => r.ruleId)).toEqual([ruleId]);

    expectStatus(await call('DELETE', path), 428, 'IF_MATCH_REQUIRED');
    expectStatus(await call('DELETE', path, undefined, { headers: { 'If-Match': '"1"' } }), 412, 'VERSION_MISMATCH');
    expectStatus(await call('DELETE', path, undefined, { headers: { 'If-Match': '"2"' } }), 204);
    expectStatus(await get(path), 404, 'RULE_NOT_FOUND');
    expect((await get(`/v1/portfolios/${pf}/rules`)).body.items?.map((r) => r.ruleId)).toEqual([stop.body.ruleId]);
  });

  it('404 for an unknown rule or portfolio; 422 for an account that is not the portfolio’s', async () => {
    const { accountId, pf } = await simAccount(false);
    const other = await simAccount(false);
    const unknown = `/v1/portfolios/${pf}/rules/rl_00000000000000000000000000`;
    expectStatus(await get(unknown), 404, 'RULE_NOT_FOUND');
    expectStatus(await get(`${unknown}/runs`), 404, 'RULE_NOT_FOUND');
    expectStatus(
      await call('PUT', unknown, dcaBody(accountId), { headers: { 'If-Match': '"1"' } }),
      404,
      'RULE_NOT_FOUND',
    );
    expectStatus(await call('DELETE', unknown, undefined, { headers: { 'If-Match': '"1"' } }), 404, 'RULE_NOT_FOUND');
    expectStatus(await get('/v1/portfolios/pf_00000000000000000000000000/rules'), 404);

    const url = `/v1/portfolios/${pf}/rules`;
    expectStatus(await post(url, dcaBody(other.accountId)), 422, 'ACCOUNT_PORTFOLIO_MISMATCH');
    expectStatus(await post(url, stopBody(other.accountId)), 422, 'ACCOUNT_PORTFOLIO_MISMATCH');
    expectStatus(await post(url, dcaBody('ac_00000000000000000000000000')), 422, 'ACCOUNT_NOT_FOUND');
    // nor may a replace move a rule to another portfolio's account
    const rule = await createRule(pf, dcaBody(accountId));
    expectStatus(
      await call('PUT', `${url}/${String(rule.body.ruleId)}`, dcaBody(other.accountId), {
        headers: { 'If-Match': '"1"' },
      }),
      422,
      'ACCOUNT_PORTFOLIO_MISMATCH',
    );
  });

  it('400 naming the field for bad input', async () => {
    const { accountId, pf } = await simAccount(false);
    const url = `/v1/portfolios/${pf}/rules`;
    const cases: Array<[Record<string, unknown>, string]> = [
      [dcaBody(accountId, { amount: '-5' }), 'body.amount'],
      [dcaBody(accountId, { amount: '10.001' }), 'body.amount'],
      [dcaBody(accountId, { timezone: 'Mars/Olympus' }), 'body.timezone'],
      [dcaBody(accountId, { timeOfDay: '25:00' }), 'body.timeOfDay'],
      [dcaBody(accountId, { frequency: 'weekly' }), 'body.dayOfWeek'],
      [dcaBody(accountId, { maxPrice: '0' }), 'body.maxPrice'],
      [dcaBody(accountId, { symbol: 'aapl' }), 'body.symbol'],
      [stopBody(accountId, { stopPct: '100' }), 'body.stopPct'],
      [stopBody(accountId, { stopPct: '0' }), 'body.stopPct'],
      [stopBody(accountId, { amount: '5' }), 'body.amount'],
    ];
    for (const [body, path] of cases) {
      const r = await post(url, body);
      expectStatus(r, 400, 'VALIDATION_FAILED');
      expect(
        r.body.errors?.map((e) => e.path),
        `${JSON.stringify(body)}: ${r.text}`,
      ).toContain(path);
    }
    expectStatus(await post(url, { ...dcaBody(accountId), kind: 'take_profit' }), 400, 'VALIDATION_FAILED');
    expect((await get(url)).body.items).toEqual([]);
  });
});

describe('DCA', () => {
  it('buys on its days: not before the instant, once however often its minute ticks, again the next day', async () => {
    const { accountId, pf } = await simAccount();
    await postPrice(accountId, 'AAPL', '150');
    const { ruleId, at, timeOfDay } = await dcaInTwoHours(accountId, pf);

    clock = at - 30_000;
    await tick();
    expect(await ordersOf(accountId)).toEqual([]);
    expect(await runsOf(pf, ruleId)).toEqual([]);

    clock = at + 1_000;
    await tick();
    const orders = await ordersOf(accountId);
    // floor(1000 / 150) = 6 whole units, a market buy through the desk, filled on the simulation venue
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      side: 'buy',
      symbol: 'AAPL',
      quantity: '6',
      type: 'market',
      intent: 'allocation',
      status: 'filled',
      note: `dca ${ruleId}`,
    });
    const runs = await runsOf(pf, ruleId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'ordered', price: '150', quantity: '6', orderId: orders[0].orderId });
    const moved = await ruleAt(pf, ruleId);
    expect(moved.lastRunAt).toBe(iso(at + 1_000));
    const second = Date.parse(String(moved.nextRunAt));
    expect(second - at).toBeGreaterThanOrEqual(DAY - HOUR);
    expect(second - at).toBeLessThanOrEqual(DAY + HOUR);
    expect(localTime(second, NY)).toBe(timeOfDay);
    const holdings = await get(`/v1/accounts/${accountId}/positions`);
    expect(holdings.body.items).toEqual([expect.objectContaining({ symbol: 'AAPL', quantity: '6' })]);

    // the same minute again: nothing is due any more
    clock = at + 20_000;
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(1);
    expect(await runsOf(pf, ruleId)).toHaveLength(1);

    // the next day's slot: a second buy, at the price of the day
    await postPrice(accountId, 'AAPL', '160');
    clock = second - 30_000;
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(1);
    clock = second + 1_000;
    await tick();
    const after = await ordersOf(accountId);
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ side: 'buy', quantity: '6', status: 'filled' });
    const runs2 = await runsOf(pf, ruleId);
    expect(runs2.map((r) => [r.outcome, r.price, r.quantity])).toEqual([
      ['ordered', '160', '6'],
      ['ordered', '150', '6'],
    ]);
  });

  it('a price above maxPrice skips the run, naming both; fractional buys in 0.000001 steps', async () => {
    const { accountId, pf } = await simAccount();
    await postPrice(accountId, 'AAPL', '150');
    const capped = await dcaInTwoHours(accountId, pf, { maxPrice: '120' });
    const fractional = await dcaInTwoHours(accountId, pf, { amount: '100', fractional: true });
    clock = capped.at + 1_000;
    await tick();
    const [skipped] = await runsOf(pf, capped.ruleId);
    expect(skipped).toMatchObject({ outcome: 'skipped', price: '150' });
    expect(skipped.detail).toContain('150');
    expect(skipped.detail).toContain('120');
    expect(skipped).not.toHaveProperty('orderId');
    // it moves on to its next day all the same
    expect(Date.parse(String((await ruleAt(pf, capped.ruleId)).nextRunAt))).toBeGreaterThan(clock);
    // 100 / 150 = 0.666666… → 0.666666
    const [bought] = await runsOf(pf, fractional.ruleId);
    expect(bought).toMatchObject({ outcome: 'ordered', quantity: '0.666666' });
    const orders = await ordersOf(accountId);
    expect(orders.map((o) => o.quantity)).toEqual(['0.666666']);
  });

  it('after a three-day outage, one tick makes exactly one catch-up run; the next run is in the future', async () => {
    const { accountId, pf } = await simAccount();
    await postPrice(accountId, 'AAPL', '100');
    const { ruleId, at } = await dcaInTwoHours(accountId, pf);
    clock = at + 3 * DAY + 5 * MINUTE;
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(1);
    const runs = await runsOf(pf, ruleId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'ordered', quantity: '10', at: iso(clock) });
    const next = Date.parse(String((await ruleAt(pf, ruleId)).nextRunAt));
    expect(next).toBeGreaterThan(clock);
    expect(next - clock).toBeLessThanOrEqual(DAY);
    clock += MINUTE;
    await tick();
    expect(await runsOf(pf, ruleId)).toHaveLength(1);
  });

  it('on a GUIDE account the run is previewed and the order never reaches the venue', async () => {
    const { accountId, pf } = await simAccount(false);
    await postPrice(accountId, 'AAPL', '200');
    const { ruleId, at } = await dcaInTwoHours(accountId, pf);
    clock = at + 1_000;
    await tick();
    const orders = await ordersOf(accountId);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ side: 'buy', quantity: '5', status: 'previewed', mode: 'GUIDE' });
    const [run] = await runsOf(pf, ruleId);
    expect(run).toMatchObject({ outcome: 'previewed', quantity: '5', orderId: orders[0].orderId });
    expect((await get(`/v1/accounts/${accountId}/positions`)).body.items).toEqual([]);
  });

  it('a disabled or deleted rule does not run; a deleted rule’s runs stay listed', async () => {
    const { accountId, pf } = await simAccount();
    await postPrice(accountId, 'AAPL', '100');
    const first = await dcaInTwoHours(accountId, pf);
    const path = `/v1/portfolios/${pf}/rules/${first.ruleId}`;
    const disabled = await call('PUT', path, dcaBody(accountId, { timeOfDay: first.timeOfDay, enabled: false }), {
      headers: { 'If-Match': '"1"' },
    });
    expectStatus(disabled, 200);
    clock = first.at + 1_000;
    await tick();
    expect(await ordersOf(accountId)).toEqual([]);
    // enabled again: its next run is computed from now, tomorrow's
    const enabled = await call('PUT', path, dcaBody(accountId, { timeOfDay: first.timeOfDay }), {
      headers: { 'If-Match': '"2"' },
    });
    expectStatus(enabled, 200);
    const tomorrow = Date.parse(String(enabled.body.nextRunAt));
    expect(tomorrow).toBeGreaterThan(clock);
    clock = tomorrow + 1_000;
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(1);
    const etag = String((await get(path)).headers.get('etag'));
    expectStatus(await call('DELETE', path, undefined, { headers: { 'If-Match': etag } }), 204);
    clock += DAY;
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(1);
    expect(await runsOf(pf, first.ruleId)).toHaveLength(1);
  });
});

describe('stop-loss', () => {
  it('sells the whole position once the price crosses the stop, then disarms; re-enabling re-arms it', async () => {
    const { accountId, pf } = await simAccount();
    await postPrice(accountId, 'VTI', '100');
    expectStatus(await post('/v1/orders', { accountId, symbol: 'VTI', side: 'buy', quantity: '10' }), 201);
    await postPrice(accountId, 'VTI', '110');
    expectStatus(await post('/v1/orders', { accountId, symbol: 'VTI', side: 'buy', quantity: '10' }), 201);
    // 20 held at an average cost of 105: a 10 % stop is at 94.5
    const created = await createRule(pf, stopBody(accountId));
    const ruleId = String(created.body.ruleId);
    const path = `/v1/portfolios/${pf}/rules/${ruleId}`;

    await postPrice(accountId, 'VTI', '95');
    nextMinute();
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(2);
    expect(await runsOf(pf, ruleId)).toEqual([]);

    await postPrice(accountId, 'VTI', '94.5');
    nextMinute();
    await tick();
    const orders = await ordersOf(accountId);
    expect(orders).toHaveLength(3);
    expect(orders[0]).toMatchObject({
      side: 'sell',
      symbol: 'VTI',
      quantity: '20',
      type: 'market',
      intent: 'allocation',
      status: 'filled',
      note: `stop_loss ${ruleId}`,
    });
    const runs = await runsOf(pf, ruleId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'ordered', price: '94.5', quantity: '20', orderId: orders[0].orderId });
    const fired = await ruleAt(pf, ruleId);
    expect(fired).toMatchObject({ enabled: false, triggeredAt: iso(clock), version: 2 });
    expect((await get(`/v1/accounts/${accountId}/positions`)).body.items).toEqual([]);

    // a stop sells once
    await postPrice(accountId, 'VTI', '80');
    nextMinute();
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(3);
    expect(await runsOf(pf, ruleId)).toHaveLength(1);

    // re-enabled on a new position: armed again, fires again
    const rearmed = await call('PUT', path, stopBody(accountId, { stopPct: '5' }), { headers: { 'If-Match': '"2"' } });
    expectStatus(rearmed, 200);
    expect(rearmed.body).toMatchObject({ enabled: true, stopLoss: { stopPct: '5' } });
    expect(rearmed.body).not.toHaveProperty('triggeredAt');
    expectStatus(await post('/v1/orders', { accountId, symbol: 'VTI', side: 'buy', quantity: '3' }), 201);
    nextMinute();
    await tick();
    expect(await ordersOf(accountId)).toHaveLength(4);
    await postPrice(accountId, 'VTI', '75');
    nextMinute();
    await tick();
    const last = await ordersOf(accountId);
    expect(last).toHaveLength(5);
    expect(last[0]).toMatchObject({ side: 'sell', quantity: '3', status: 'filled' });
    expect((await runsOf(pf, ruleId)).map((r) => r.outcome)).toEqual(['ordered', 'ordered']);
  });

  it('a position recorded in the ledger counts; no position, nothing happens; GUIDE only previews', async () => {
    const { accountId, pf } = await simAccount(false);
    const bought = await post(`/v1/portfolios/${pf}/transactions`, {
      type: 'BUY',
      symbol: 'VTI',
      quantity: '4',
      price: '50',
      fee: '0',
      tradeDate: iso(clock).slice(0, 10),
    });
    expectStatus(bought, 201);
    const vti = await createRule(pf, stopBody(accountId, { stopPct: '20' }));
    const none = await createRule(pf, stopBody(accountId, { symbol: 'BND' }));
    await postPrice(accountId, 'VTI', '39');
    await postPrice(accountId, 'BND', '1');
    nextMinute();
    await tick();
    const orders = await ordersOf(accountId);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ side: 'sell', symbol: 'VTI', quantity: '4', status: 'previewed' });
    const [run] = await runsOf(pf, String(vti.body.ruleId));
    expect(run).toMatchObject({ outcome: 'previewed', price: '39', quantity: '4' });
    expect(await runsOf(pf, String(none.body.ruleId))).toEqual([]);
    expect((await ruleAt(pf, String(none.body.ruleId))).enabled).toBe(true);
  });
});

describe('who may see and change rules', () => {
  it("another tenant's user or another project's header: 403/404 on every rule route; an observer reads", async () => {
    const { accountId, pf } = await simAccount(false);
    const rule = await createRule(pf, dcaBody(accountId));
    const path = `/v1/portfolios/${pf}/rules/${String(rule.body.ruleId)}`;
    const admin = await t.token('u_admin', 't_demo', '1h');
    const project = await t.call('POST', '/v1/tenants/t_demo/projects', {
      token: admin,
      body: { projectId: 'p_rules_other', name: 'Another project' },
    });
    expectStatus(project, 201);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/v1/portfolios/${pf}/rules`],
      ['POST', `/v1/portfolios/${pf}/rules`, dcaBody(accountId)],
      ['GET', path],
      ['PUT', path, dcaBody(accountId)],
      ['DELETE', path],
      ['GET', `${path}/runs`],
    ];
    const outsiders = [
      { token: await t.token('u_acme', 't_acme', '1h'), headers: { 'X-Project-Id': 'p_acme' } },
      { token: await nav(), headers: { 'X-Project-Id': 'p_rules_other' } },
    ];
    for (const o of outsiders) {
      for (const [method, url, body] of calls) {
        const r = await t.call(method, url, { token: o.token, headers: { ...o.headers, 'If-Match': '"1"' }, body });
        expect([403, 404], `${method} ${url} (${o.headers['X-Project-Id']}): ${r.text}`).toContain(r.status);
      }
    }
    const obs = await t.token('u_observer', 't_demo', '1h');
    expectStatus(await get(path, obs), 200);
    expectStatus(await get(`${path}/runs`, obs), 200);
    for (const [method, url, body] of calls.filter(([m]) => m !== 'GET')) {
      const r = await t.call(method, url, { token: obs, headers: { ...P, 'If-Match': '"1"' }, body });
      expect(r.status, `${method} ${url}: ${r.text}`).toBe(403);
    }
    // and nothing changed
    expect(await ruleAt(pf, String(rule.body.ruleId))).toEqual(rule.body);
    expect((await get(`/v1/portfolios/${pf}/rules`)).body.items).toHaveLength(1);
  });
});
