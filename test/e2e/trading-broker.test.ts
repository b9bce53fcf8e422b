import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

/**
 * PAPER and LIVE accounts over HTTP against the runtime's fake Alpaca: GUIDE never reaches it, a
 * timeout after the broker accepted never double-orders, refusals become 422 BROKER_REJECTED,
 * working orders are synchronised by the polling job; LIVE needs a fresh login; nobody outside
 * the project reads or cancels anything.
 */
let t: TestRuntime;
let nav: string;
let acme: string;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `broker-test-${++keySeq}-${Date.now()}`;
let clock = Date.UTC(2027, 2, 2, 15, 0, 0);
const nextMinute = () => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_navigator', 't_demo', '6h');
  acme = await t.token('u_acme', 't_acme', '6h');
});
beforeEach(() => {
  nextMinute();
  t.rt.broker.reset();
});
afterAll(async () => {
  await t.stop();
});

const post = (
  path: string,
  body: unknown,
  o: { token?: string; idem?: string | null; headers?: Record<string, string> } = {},
) =>
  t.call('POST', path, {
    token: o.token ?? nav,
    headers: { ...P, ...(o.idem === null ? {} : { 'Idempotency-Key': o.idem ?? key() }), ...o.headers },
    body,
  });
const get = (path: string, token = nav, headers: Record<string, string> = P) => t.call('GET', path, { token, headers });

async function portfolio(cash = '100000.00') {
  const r = await post('/v1/portfolios', { name: 'Broker-linked', baseCurrency: 'USD', cash });
  expect(r.status, r.text).toBe(201);
  return String(r.body.portfolioId);
}

async function paperAccount(mode: 'GUIDE' | 'AUTONOMOUS') {
  const portfolioId = await portfolio();
  const r = await post('/v1/accounts', { name: 'Paper', venue: 'PAPER', portfolioId });
  expect(r.status, r.text).toBe(201);
  const accountId = String(r.body.accountId);
  if (mode === 'AUTONOMOUS') {
    const m = await t.call('PUT', `/v1/accounts/${accountId}/mode`, {
      token: nav,
      headers: { ...P, 'If-Match': '"1"' },
      body: { mode: 'AUTONOMOUS', reason: 'paper trading' },
    });
    expect(m.status, m.text).toBe(200);
  }
  return { accountId, portfolioId };
}

describe('PAPER accounts on the fake Alpaca', () => {
  it('GUIDE records and previews; the broker sees zero requests', async () => {
    const { accountId } = await paperAccount('GUIDE');
    const before = t.rt.broker.requests.length;
    const r = await post('/v1/orders', {
      accountId,
      symbol: 'AAPL',
      side: 'buy',
      quantity: '2',
      type: 'limit',
      limitPrice: '150',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.status).toBe('previewed');
    expect(t.rt.broker.requests.length - before).toBe(0);
    expect(t.rt.broker.ordersPosted()).toBe(0);
  });

  it('AUTONOMOUS: a market order fills at the broker and posts to the ledger and the journal as PAPER', async () => {
    const { accountId, portfolioId } = await paperAccount('AUTONOMOUS');
    t.rt.broker.setPrice('AAPL', '150.00');
    const r = await post('/v1/orders', {
      accountId,
      symbol: 'AAPL',
      side: 'buy',
      quantity: '2',
      type: 'limit',
      limitPrice: '151',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ status: 'filled', filledQuantity: '2', averageFillPrice: '150' });
    expect(String(r.body.brokerOrderId)).not.toBe('');
    const [held] = t.rt.broker.orders();
    expect(held.client_order_id).toBe(r.body.clientOrderId);
    expect(String(held.client_order_id).length).toBeLessThanOrEqual(48);
    const ledger = await get(`/v1/portfolios/${portfolioId}/transactions`);
    expect(ledger.body.items?.map((e) => [e.type, e.quantity, e.price])).toEqual([['BUY', '2', '150']]);
    const journal = await get('/v1/journal/entries?source=PAPER');
    expect(journal.body.items?.some((e) => e.orderId === r.body.orderId)).toBe(true);
  });

  it('a timeout after the broker accepted does not double-order: found by its client order id', async () => {
    const { accountId, portfolioId } = await paperAccount('AUTONOMOUS');
    t.rt.broker.setPrice('MSFT', '300.00');
    t.rt.broker.failNext('timeout-after-accept');
    const r = await post('/v1/orders', {
      accountId,
      symbol: 'MSFT',
      side: 'buy',
      quantity: '1',
      type: 'limit',
      limitPrice: '301',
    });
    expect(r.status, r.text).toBe(201);
    expect(t.rt.broker.orders()).toHaveLength(1);
    expect(r.body.status).toBe('filled');
    const ledger = await get(`/v1/portfolios/${portfolioId}/transactions`);
    expect(ledger.body.items?.filter((e) => e.type === 'BUY')).toHaveLength(1);
  });

  it("insufficient buying power is 422 BROKER_REJECTED with the broker's reason; the order is rejected", async () => {
    const { accountId } = await paperAccount('AUTONOMOUS');
    t.rt.broker.setBuyingPower('10.00');
    const r = await post('/v1/orders', {
      accountId,
      symbol: 'AAPL',
      side: 'buy',
      quantity: '5',
      type: 'limit',
      limitPrice: '150',
    });
    expect(r.status, r.text).toBe(422);
    expect(r.body.code).toBe('BROKER_REJECTED');
    expect(String(r.body.detail)).toMatch(/insufficient buying power/i);
    const order = await get(`/v1/orders/${String(r.body.orderId)}`);
    expect(order.body.status).toBe('rejected');
    const state = await get(`/v1/risk/state?accountId=${accountId}`);
    expect(state.body.pendingOrders).toBe(0);
  });

  it('a resting limit order is synced by the polling job: partial, then full fill; cancel at the broker', async () => {
    const { accountId, portfolioId } = await paperAccount('AUTONOMOUS');
    t.rt.broker.setPrice('VTI', '250.00');
    const r = await post('/v1/orders', {
      accountId,
      symbol: 'VTI',
      side: 'buy',
      quantity: '10',
      type: 'limit',
      limitPrice: '240',
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body.status).toBe('submitted');
    const brokerId = String(r.body.brokerOrderId);
    t.rt.broker.fill(brokerId, '4', '239.50');
    // due a minute after the order, run by the tick of the minute after that
    clock += 120_000;
    await t.rt.jobs.tick();
    let order = await get(`/v1/orders/${String(r.body.orderId)}`);
    expect(order.body).toMatchObject({ status: 'partially_filled', filledQuantity: '4', averageFillPrice: '239.5' });
    t.rt.broker.fill(brokerId, '10', '239.80');
    clock += 120_000;
    await t.rt.jobs.tick();
    order = await get(`/v1/orders/${String(r.body.orderId)}`);
    // the fake fills the other 6 at 239.80: the broker reports 10 at an average of 239.68, and the
    // second fill is the difference, 6 at (10 × 239.68 − 4 × 239.50) / 6 = 239.80
    expect(order.body).toMatchObject({ status: 'filled', filledQuantity: '10', averageFillPrice: '239.68' });
    expect((order.body.fills as Array<{ quantity: string; price: string }>).map((f) => [f.quantity, f.price])).toEqual([
      ['4', '239.5'],
      ['6', '239.8'],
    ]);
    const ledger = await get(`/v1/portfolios/${portfolioId}/transactions`);
    expect(ledger.body.items?.length).toBe(2);
    const transitions = (order.body.transitions as Array<{ to: string }>).map((x) => x.to);
    expect(transitions).toEqual(['pending', 'submitted', 'partially_filled', 'filled']);

    const resting = await post('/v1/orders', {
      accountId,
      symbol: 'VTI',
      side: 'buy',
      quantity: '1',
      type: 'limit',
      limitPrice: '200',
    });
    expect(resting.body.status).toBe('submitted');
    const cancelled = await post(`/v1/orders/${String(resting.body.orderId)}/cancel`, {}, { idem: null });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const atBroker = t.rt.broker.orders().find((o) => o.id === resting.body.brokerOrderId);
    expect(atBroker?.status).toBe('canceled');
    const again = await post(`/v1/orders/${String(resting.body.orderId)}/cancel`, {}, { idem: null });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_NOT_CANCELLABLE');
  });
});

describe('LIVE needs a fresh login, a confirmation and a reason', () => {
  it('creating a LIVE account and switching it to AUTONOMOUS', async () => {
    const portfolioId = await portfolio();
    const stale = await t.token('u_navigator', 't_demo', '6h', { authTime: Math.floor(clock / 1000) - 3600 });
    const old = await post(
      '/v1/accounts',
      { name: 'Live', venue: 'LIVE', portfolioId, confirm: true, reason: 'go live' },
      {
        token: stale,
      },
    );
    expect(old.status).toBe(401);
    expect(old.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
    const fresh = await t.token('u_navigator', 't_demo', '1h', { authTime: Math.floor(clock / 1000) });
    const unconfirmed = await post('/v1/accounts', { name: 'Live', venue: 'LIVE', portfolioId }, { token: fresh });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.code).toBe('CONFIRMATION_REQUIRED');
    const created = await post(
      '/v1/accounts',
      { name: 'Live', venue: 'LIVE', portfolioId, confirm: true, reason: 'go live' },
      { token: fresh },
    );
    expect(created.status, created.text).toBe(201);
    expect(created.body.mode).toBe('GUIDE');
    const accountId = String(created.body.accountId);
    const put = (token: string, body: Record<string, unknown>) =>
      t.call('PUT', `/v1/accounts/${accountId}/mode`, {
        token,
        headers: { ...P, 'If-Match': '"1"', 'User-Agent': 'ballast-test/1.0' },
        body,
      });
    const noLogin = await put(stale, { mode: 'AUTONOMOUS', confirm: true, reason: 'trade it' });
    expect(noLogin.status).toBe(401);
    expect(noLogin.headers.get('www-authenticate')).toContain('max_age=300');
    const switched = await put(fresh, { mode: 'AUTONOMOUS', confirm: true, reason: 'trade it' });
    expect(switched.status, switched.text).toBe(200);
    expect(switched.body.mode).toBe('AUTONOMOUS');
    const history = await get(`/v1/accounts/${accountId}/mode/history`);
    expect(history.body.items?.[0]).toMatchObject({
      from: 'GUIDE',
      to: 'AUTONOMOUS',
      by: 'u_navigator',
      reason: 'trade it',
      userAgent: 'ballast-test/1.0',
    });
    expect(String(history.body.items?.[0].ip)).not.toBe('');
  });

  it('AUTONOMOUS on PAPER needs a broker entry: t_acme has none', async () => {
    const pf = await t.call('POST', '/v1/portfolios', {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme', 'Idempotency-Key': key() },
      body: { name: 'Acme', cash: '1000' },
    });
    const created = await t.call('POST', '/v1/accounts', {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme', 'Idempotency-Key': key() },
      body: { name: 'Acme paper', venue: 'PAPER', portfolioId: pf.body.portfolioId },
    });
    expect(created.status, created.text).toBe(201);
    const m = await t.call('PUT', `/v1/accounts/${String(created.body.accountId)}/mode`, {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme', 'If-Match': '"1"' },
      body: { mode: 'AUTONOMOUS' },
    });
    expect(m.status).toBe(422);
    expect(m.body.code).toBe('BROKER_NOT_CONFIGURED');
  });
});

describe('isolation', () => {
  it('a member of another tenant, or of another project, can read or cancel nothing', async () => {
    const { accountId } = await paperAccount('AUTONOMOUS');
    t.rt.broker.setPrice('AAPL', '150.00');
    const order = await post('/v1/orders', {
      accountId,
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      type: 'limit',
      limitPrice: '100',
    });
    expect(order.status, order.text).toBe(201);
    const orderId = String(order.body.orderId);
    const acmeHeaders = { 'X-Project-Id': 'p_acme' };
    for (const path of [
      `/v1/accounts/${accountId}`,
      `/v1/accounts/${accountId}/mode`,
      `/v1/accounts/${accountId}/positions`,
      `/v1/orders/${orderId}`,
      `/v1/risk/state?accountId=${accountId}`,
    ]) {
      const r = await get(path, acme, acmeHeaders);
      expect(r.status, `${path}: ${r.text}`).toBe(404);
    }
    const list = await get('/v1/orders', acme, acmeHeaders);
    expect(list.body.items?.some((o) => o.orderId === orderId)).toBe(false);
    const cancel = await t.call('POST', `/v1/orders/${orderId}/cancel`, {
      token: acme,
      headers: acmeHeaders,
      body: {},
    });
    expect(cancel.status).toBe(404);
    const foreignOrder = await t.call('POST', '/v1/orders', {
      token: acme,
      headers: { ...acmeHeaders, 'Idempotency-Key': key() },
      body: { accountId, symbol: 'AAPL', side: 'buy', quantity: '1', type: 'limit', limitPrice: '100' },
    });
    expect(foreignOrder.status).toBe(404);
    // a second project of the same tenant
    const admin = await t.token('u_admin', 't_demo', '1h');
    const project = await t.call('POST', '/v1/tenants/t_demo/projects', {
      token: admin,
      headers: { 'Idempotency-Key': key() },
      body: { projectId: 'p_trading_other', name: 'Other desk' },
    });
    expect([201, 409]).toContain(project.status);
    const other = { 'X-Project-Id': 'p_trading_other' };
    expect((await get(`/v1/orders/${orderId}`, admin, other)).status).toBe(404);
    expect((await get(`/v1/accounts/${accountId}`, admin, other)).status).toBe(404);
    const otherCancel = await t.call('POST', `/v1/orders/${orderId}/cancel`, {
      token: admin,
      headers: other,
      body: {},
    });
    expect(otherCancel.status).toBe(404);
    const still = await get(`/v1/orders/${orderId}`);
    expect(still.body.status).toBe('submitted');
  });
});
