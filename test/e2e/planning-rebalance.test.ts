import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoPlanningStore } from '../../packages/app/src/planning/store.dynamo.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/** Rebalance proposals and their execution over HTTP, through the trading desk. */

let t: TestRuntime;
let nav: string;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `rebalance-test-${++keySeq}-${Date.now()}`;
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const nextMinute = () => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
};
const d = (x: unknown) => new Decimal(String(x));
const today = () => new Date(clock).toISOString().slice(0, 10);
const daysAgo = (n: number) => new Date(clock - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_navigator', 't_demo', '6h');
});
beforeEach(nextMinute);
afterAll(async () => {
  await t.stop();
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token = nav) =>
  t.call(method, path, { token, headers: { ...P, ...headers }, body });
const get = (path: string) => call('GET', path);
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', path, body, { 'Idempotency-Key': key(), ...headers });

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

async function simAccount(o: { autonomous?: boolean; balance?: string; simulation?: Record<string, unknown> } = {}) {
  const r = await post('/v1/accounts', {
    name: 'Rebalance',
    venue: 'SIMULATION',
    simulation: { slippageBps: 0, initialBalance: o.balance ?? '10000', ...o.simulation },
  });
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  if (o.autonomous) {
    const m = await call(
      'PUT',
      `/v1/accounts/${accountId}/mode`,
      { mode: 'AUTONOMOUS', reason: 'test' },
      { 'If-Match': '"1"' },
    );
    expectStatus(m, 200);
  }
  return { accountId, pf: String(r.body.portfolioId) };
}

const buy = async (pf: string, symbol: string, quantity: string, price: string, tradeDate = '2026-01-05') =>
  expectStatus(
    await post(`/v1/portfolios/${pf}/transactions`, { type: 'BUY', symbol, quantity, price, tradeDate }),
    201,
  );

async function category(pf: string, code: string, targetPct: string, extra: Record<string, unknown> = {}) {
  const r = await post(`/v1/portfolios/${pf}/categories`, { name: code, code, type: 'equity', targetPct, ...extra });
  expectStatus(r, 201);
  return String(r.body.categoryId);
}
const assign = async (pf: string, symbol: string, categoryId: string) =>
  expectStatus(await call('PUT', `/v1/portfolios/${pf}/assignments/${symbol}`, { categoryId }), 200);

/** The prices the book is valued at now (the proposal uses the same source). */
async function pricesOf(pf: string): Promise<Map<string, Decimal>> {
  const h = await get(`/v1/portfolios/${pf}/holdings`);
  expectStatus(h, 200);
  return new Map((h.body.items ?? []).map((x) => [String(x.symbol), d(x.price)]));
}

type Trade = { symbol: string; side: string; quantity: string; price: string; notional: string; estimatedCost: string };
type Plan = {
  totalValue: string;
  cashBefore: string;
  cashAfter: string;
  trades: Array<
    Trade & {
      lots?: Array<{ lotId: string; gain: string; term: string; acquired: string }>;
      washSales: Array<{ kind: string; tradeDate?: string }>;
    }
  >;
  dropped: Array<{ symbol: string; reason: string; detail: string }>;
  drift: {
    before: { totalDriftPct: string; insideBands: boolean };
    after: { totalDriftPct: string; insideBands: boolean };
  };
  buysNeedSellProceeds: boolean;
};
const planOf = (r: CallResult) => r.body.plan as unknown as Plan;
type ExecutionOrder = { symbol: string; side: string; status: string; orderId?: string };
const ordersOf = (r: CallResult) => (r.body.orders ?? []) as ExecutionOrder[];
const propose = (pf: string, body: Record<string, unknown>) => post(`/v1/portfolios/${pf}/rebalance/proposals`, body);

describe('proposals', () => {
  it('buys underweights from cash to hand-computed quantities, never overdrawing, ending inside the band', async () => {
    const { pf } = await simAccount();
    await buy(pf, 'AAPL', '30', '1');
    await buy(pf, 'BND', '5', '1');
    const eq = await category(pf, 'EQ', '50');
    const bd = await category(pf, 'BD', '50');
    await assign(pf, 'AAPL', eq);
    await assign(pf, 'BND', bd);
    const px = await pricesOf(pf);
    const pA = px.get('AAPL') ?? d(NaN);
    const pB = px.get('BND') ?? d(NaN);
    const cash = d(10_000 - 35);
    const value = cash.plus(pA.times(30)).plus(pB.times(5));

    const r = await propose(pf, { band: 'absolute', thresholdPct: '5', costBps: '0', minNotional: '1' });
    expectStatus(r, 201);
    expect(r.headers.get('location')).toBe(`/v1/portfolios/${pf}/rebalance/proposals/${String(r.body.proposalId)}`);
    const plan = planOf(r);
    expect(d(plan.totalValue).eq(value)).toBe(true);
    // both categories are under 50% (most of the value is cash, whose target is 0): buys only
    const wantA = value.times('0.5').minus(pA.times(30)).div(pA).floor();
    const wantB = value.times('0.5').minus(pB.times(5)).div(pB).floor();
    expect(plan.trades.map((x) => [x.symbol, x.side, x.quantity])).toEqual(
      [
        ['AAPL', 'buy', wantA.toFixed()],
        ['BND', 'buy', wantB.toFixed()],
      ].sort((a, b) =>
        d(b[2])
          .times(b[0] === 'AAPL' ? pA : pB)
          .comparedTo(d(a[2]).times(a[0] === 'AAPL' ? pA : pB)),
      ),
    );
    const spent = plan.trades.reduce((s, x) => s.plus(x.notional).plus(x.estimatedCost), d(0));
    expect(spent.lte(cash)).toBe(true);
    expect(d(plan.cashAfter).eq(cash.minus(spent))).toBe(true);
    expect(d(plan.cashAfter).gte(0)).toBe(true);
    expect(plan.drift.before.insideBands).toBe(false);
    expect(plan.drift.after.insideBands).toBe(true);
    expect(d(plan.drift.after.totalDriftPct).lt(plan.drift.before.totalDriftPct)).toBe(true);

    // stored, listed newest first
    const list = await get(`/v1/portfolios/${pf}/rebalance/proposals`);
    expectStatus(list, 200);
    expect(list.body.items?.[0]?.proposalId).toBe(r.body.proposalId);
    expectStatus(await get(`/v1/portfolios/${pf}/rebalance/proposals/${String(r.body.proposalId)}`), 200);
  });

  it('drops a trade under the minimum notional with its reason, and caps the number of trades', async () => {
    const { pf } = await simAccount();
    await buy(pf, 'AAPL', '10', '1');
    const eq = await category(pf, 'EQ', '60');
    const gold = await category(pf, 'GOLD', '0.1', { rebalanceThresholdPct: '0.05' });
    const bd = await category(pf, 'BD', '39.9');
    await assign(pf, 'AAPL', eq);
    await assign(pf, 'GLD', gold);
    await assign(pf, 'BND', bd);
    // fractional: the gold buy is a fraction of a share, kept only if it reaches the minimum
    const r = await propose(pf, { band: 'absolute', minNotional: '50', costBps: '0', fractional: true });
    expectStatus(r, 201);
    const plan = planOf(r);
    const dropped = plan.dropped.find((x) => x.symbol === 'GLD');
    expect(dropped?.reason).toBe('below_minimum');
    expect(dropped?.detail).toMatch(/50/);
    expect(plan.trades.map((x) => x.symbol).sort()).toEqual(['AAPL', 'BND']);

    const capped = planOf(
      await propose(pf, { band: 'absolute', minNotional: '50', costBps: '0', fractional: true, maxTrades: 1 }),
    );
    expect(capped.trades).toHaveLength(1);
    expect(capped.dropped.map((x) => x.reason)).toContain('max_trades');
  });

  it('tax-aware: sells the loss lot, not the short-term gain, and flags the wash sale of a recent buy', async () => {
    const { pf } = await simAccount({ balance: '20000' });
    await buy(pf, 'AAPL', '2', '1000', daysAgo(150)); // a loss: bought far above the market
    await buy(pf, 'AAPL', '1', '1', daysAgo(10)); // a recent buy: a loss sale now is a wash sale
    await buy(pf, 'MSFT', '20', '1', daysAgo(20)); // a short-term gain
    const eq = await category(pf, 'EQ', '10');
    const bd = await category(pf, 'BD', '90');
    await assign(pf, 'AAPL', eq);
    await assign(pf, 'MSFT', eq);
    await assign(pf, 'BND', bd);
    const px = await pricesOf(pf);
    const pA = px.get('AAPL') ?? d(NaN);
    const pM = px.get('MSFT') ?? d(NaN);
    const cash = d(20_000 - 2000 - 1 - 20);
    const value = cash.plus(pA.times(3)).plus(pM.times(20));
    // a target that leaves EQ 1.5 AAPL shares over: one whole share of the loss lot covers it
    const eqValue = pA.times(3).plus(pM.times(20));
    const targetPct = eqValue.minus(pA.times('1.5')).div(value).times(100).toDecimalPlaces(4);
    const put = await call(
      'PUT',
      `/v1/portfolios/${pf}/categories/${eq}`,
      { name: 'EQ', code: 'EQ', type: 'equity', targetPct: targetPct.toFixed() },
      { 'If-Match': '"1"' },
    );
    expectStatus(put, 200);
    const bdPut = await call(
      'PUT',
      `/v1/portfolios/${pf}/categories/${bd}`,
      { name: 'BD', code: 'BD', type: 'bond', targetPct: d(100).minus(targetPct).toFixed() },
      { 'If-Match': '"1"' },
    );
    expectStatus(bdPut, 200);

    const body = { band: 'absolute', thresholdPct: '0.1', costBps: '0', cashFirst: false };
    const taxAware = planOf(await propose(pf, { ...body, taxAware: true }));
    const sells = taxAware.trades.filter((x) => x.side === 'sell');
    expect(sells.map((x) => x.symbol)).toEqual(['AAPL']);
    const lots = sells[0]?.lots ?? [];
    expect(lots.length).toBeGreaterThan(0);
    expect(lots[0]?.acquired).toBe(daysAgo(150));
    expect(lots.every((l) => d(l.gain).lt(0) && l.term === 'short')).toBe(true);
    expect(sells[0]?.washSales).toEqual([expect.objectContaining({ kind: 'recent_buy', tradeDate: daysAgo(10) })]);

    // without tax awareness the category's own weights decide: MSFT, far over its half, is sold
    const plain = planOf(await propose(pf, { ...body, taxAware: false }));
    expect(plain.trades.filter((x) => x.side === 'sell').map((x) => x.symbol)).toContain('MSFT');
  });
});

describe('execution', () => {
  async function drifted(o: { autonomous?: boolean; simulation?: Record<string, unknown> } = {}) {
    const acct = await simAccount({ ...o, balance: '10000' });
    // nearly all the cash goes into AAPL: rebalancing into BND needs the sale's proceeds
    await buy(acct.pf, 'AAPL', '1', '1');
    const pA = (await pricesOf(acct.pf)).get('AAPL') ?? d(NaN);
    await buy(acct.pf, 'AAPL', d(8_900).div(pA).floor().toFixed(), pA.toFixed(2));
    const eq = await category(acct.pf, 'EQ', '50');
    const bd = await category(acct.pf, 'BD', '50');
    await assign(acct.pf, 'AAPL', eq);
    await assign(acct.pf, 'BND', bd);
    return acct;
  }

  it('refuses a stale proposal (409 PROPOSAL_STALE) once the cash has moved, and a used one (409)', async () => {
    const { accountId, pf } = await drifted();
    const r = await propose(pf, { accountId, band: 'absolute', thresholdPct: '5' });
    expectStatus(r, 201);
    const url = `/v1/portfolios/${pf}/rebalance/proposals/${String(r.body.proposalId)}/execute`;
    expectStatus(
      await post(`/v1/portfolios/${pf}/transactions`, { type: 'DEPOSIT', amount: '100', tradeDate: today() }),
      201,
    );
    const stale = await post(url, {});
    expectStatus(stale, 409, 'PROPOSAL_STALE');
    expect(String(stale.body.detail)).toMatch(/cash moved/);

    const fresh = await propose(pf, { accountId, band: 'absolute', thresholdPct: '5' });
    const ok = await post(`/v1/portfolios/${pf}/rebalance/proposals/${String(fresh.body.proposalId)}/execute`, {});
    expectStatus(ok, 201);
    expectStatus(
      await post(`/v1/portfolios/${pf}/rebalance/proposals/${String(fresh.body.proposalId)}/execute`, {}),
      409,
      'PROPOSAL_ALREADY_EXECUTED',
    );
  });

  it('a GUIDE account only previews: every order is previewed and nothing fills', async () => {
    const { accountId, pf } = await drifted();
    const r = await propose(pf, { accountId, band: 'absolute', thresholdPct: '5' });
    expect(r.body.gate).toEqual({ evaluated: true, accountId });
    const trades = planOf(r).trades;
    expect(trades.length).toBeGreaterThan(0);
    const ex = await post(`/v1/portfolios/${pf}/rebalance/proposals/${String(r.body.proposalId)}/execute`, {});
    expectStatus(ex, 201);
    expect(ex.body).toMatchObject({ status: 'previewed', mode: 'GUIDE', type: 'manual', success: true });
    const orders = ordersOf(ex);
    expect(orders.map((o) => o.status)).toEqual(trades.map(() => 'previewed'));
    const prices = trades.map((x) => ({ symbol: x.symbol, price: x.price }));
    const update = await call('POST', `/v1/accounts/${accountId}/prices`, { prices });
    expectStatus(update, 200);
    expect(update.body.fills).toEqual([]);
    const listed = await get(`/v1/orders?accountId=${accountId}`);
    expect((listed.body.items ?? []).every((o) => o.status === 'previewed')).toBe(true);
    const proposal = await get(`/v1/portfolios/${pf}/rebalance/proposals/${String(r.body.proposalId)}`);
    expect(proposal.body.status).toBe('previewed');
  });

  it('AUTONOMOUS: sells first, buys once the sells have filled, recorded in the executions history', async () => {
    // a venue that fills a third of the time: the sell may rest, and the buy must wait for it
    const { accountId, pf } = await drifted({ autonomous: true, simulation: { fillProbability: 0.3, seed: 11 } });
    const r = await propose(pf, { accountId, band: 'absolute', thresholdPct: '5', costBps: '0' });
    const plan = planOf(r);
    expect(plan.trades.map((x) => [x.symbol, x.side])).toEqual([
      ['AAPL', 'sell'],
      ['BND', 'buy'],
    ]);
    expect(plan.buysNeedSellProceeds).toBe(true);
    const ex = await post(`/v1/portfolios/${pf}/rebalance/proposals/${String(r.body.proposalId)}/execute`, {});
    expectStatus(ex, 201);
    expect(ex.body.status, JSON.stringify(ex.body.orders)).toBe('awaiting_fills');
    expect(ordersOf(ex).map((o) => [o.symbol, o.side, o.status])).toEqual([['AAPL', 'sell', 'submitted']]);
    const executionUrl = `/v1/portfolios/${pf}/rebalance/executions/${String(ex.body.executionId)}`;
    const tick = async () => {
      nextMinute();
      nextMinute();
      expectStatus(await t.call('POST', '/_local/tick', { body: { at: new Date(clock).toISOString() } }), 200);
    };

    // a tick while the sell still works: the buy waits
    await tick();
    expect((await get(executionUrl)).body.status).toBe('awaiting_fills');
    const sellId = String(ordersOf(ex)[0]?.orderId);
    const sellPrice = plan.trades[0]?.price ?? '';
    for (let i = 0; i < 30 && (await get(`/v1/orders/${sellId}`)).body.status !== 'filled'; i++) {
      expectStatus(
        await call('POST', `/v1/accounts/${accountId}/prices`, { prices: [{ symbol: 'AAPL', price: sellPrice }] }),
        200,
      );
    }
    expect((await get(`/v1/orders/${sellId}`)).body.status).toBe('filled');
    await tick();
    const done = await get(executionUrl);
    expectStatus(done, 200);
    expect(done.body).toMatchObject({ status: 'completed', tradesPlanned: 2, tradesExecuted: 2 });
    const bndOrder = ordersOf(done).find((o) => o.symbol === 'BND');
    expect(bndOrder?.orderId).toBeTruthy();
    const history = await get(`/v1/portfolios/${pf}/rebalance/executions`);
    expect(history.body.items?.[0]).toMatchObject({ executionId: ex.body.executionId, type: 'manual' });
  });
});

describe('a run that stops mid-way', () => {
  it('is marked failed (INTERRUPTED) by its watchdog, not left looking done', async () => {
    const { pf } = await simAccount();
    // what a worker that died while sending leaves behind: the record it wrote first, and its watchdog
    const startedAt = new Date(clock).toISOString();
    const executionId = 'rx_01M8T0000000000000000000ZZ';
    const store = new DynamoPlanningStore(t.rt.platform.db, t.rt.tables.pooled, {
      tenantId: 't_demo',
      projectId: 'p_demo',
    });
    const uow = t.rt.platform.unitOfWork({ kind: 'system', tenantId: 't_demo', requestId: 'crash-seed' }, clock);
    store.putExecution(
      uow,
      {
        executionId,
        portfolioId: pf,
        type: 'manual',
        proposalId: 'rp_01M8T0000000000000000000ZZ',
        status: 'sending',
        portfolioValue: '10000',
        driftBefore: '50',
        driftAfter: '0',
        tradesPlanned: 2,
        tradesExecuted: 0,
        orders: [],
        success: false,
        startedAt,
        by: 'u_navigator',
        version: 1,
      },
      undefined,
    );
    await uow.commit();
    await t.rt.platform.due.scheduleMany([
      {
        job: 'planning.execution-continue',
        tenantId: 't_demo',
        env: 'dev',
        projectId: 'p_demo',
        workId: executionId,
        dueAt: new Date(clock + 60_000).toISOString(),
        payload: { portfolioId: pf, executionId },
      },
    ]);
    const url = `/v1/portfolios/${pf}/rebalance/executions/${executionId}`;
    const tickAt = async (ms: number) => {
      clock = ms;
      expectStatus(await t.call('POST', '/_local/tick', { body: { at: new Date(clock).toISOString() } }), 200);
    };
    // a minute in, the run may still be sending: it is looked at again
    await tickAt(Date.parse(startedAt) + 90_000);
    expect((await get(url)).body.status).toBe('sending');
    for (const minutes of [2, 3, 4]) await tickAt(Date.parse(startedAt) + minutes * 60_000 + 30_000);
    const ended = await get(url);
    expect(ended.body).toMatchObject({ status: 'failed', success: false, error: { code: 'INTERRUPTED' } });
    expect(ended.body.finishedAt).toBeTruthy();
  });
});

describe('who may', () => {
  it("another tenant's user or another project's header: 403/404 on every rebalance route", async () => {
    const { accountId, pf } = await simAccount();
    const r = await propose(pf, { accountId });
    expectStatus(r, 201);
    const base = `/v1/portfolios/${pf}/rebalance`;
    const proposal = `${base}/proposals/${String(r.body.proposalId)}`;
    const ex = await post(`${proposal}/execute`, {});
    expectStatus(ex, 201);
    const schedule = await post(`${base}/schedules`, {
      name: 'Mine',
      frequency: 'daily',
      timeOfDay: '09:30',
      timezone: 'UTC',
    });
    expectStatus(schedule, 201);
    const schedulePath = `${base}/schedules/${String(schedule.body.scheduleId)}`;
    const scheduleBody = { name: 'Theirs', frequency: 'daily', timeOfDay: '10:00', timezone: 'UTC' };
    const routes: Array<[string, string, unknown?]> = [
      ['POST', `${base}/proposals`, {}],
      ['GET', `${base}/proposals`],
      ['GET', proposal],
      ['POST', `${proposal}/execute`, {}],
      ['GET', `${base}/executions`],
      ['GET', `${base}/executions/${String(ex.body.executionId)}`],
      ['POST', `${base}/schedules`, scheduleBody],
      ['GET', `${base}/schedules`],
      ['GET', schedulePath],
      ['PUT', schedulePath, scheduleBody],
      ['DELETE', schedulePath],
    ];
    const admin = await t.token('u_admin', 't_demo', '1h');
    const project = await t.call('POST', '/v1/tenants/t_demo/projects', {
      token: admin,
      body: { projectId: 'p_rebalance_other', name: 'Another project' },
    });
    expectStatus(project, 201);
    const outsiders = [
      { token: await t.token('u_acme', 't_acme', '1h'), project: 'p_acme' },
      { token: nav, project: 'p_rebalance_other' },
    ];
    for (const o of outsiders) {
      for (const [method, path, body] of routes) {
        const other = await t.call(method, path, {
          token: o.token,
          headers: { 'X-Project-Id': o.project, 'Idempotency-Key': key(), 'If-Match': '"1"' },
          body,
        });
        expect([403, 404], `${method} ${path} (${o.project}): ${other.text}`).toContain(other.status);
      }
    }
    // and nothing changed
    expect((await get(schedulePath)).body).toEqual(schedule.body);
    expect((await get(`${base}/proposals`)).body.items).toHaveLength(1);
  });
});
