import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nextLocalMidnight } from '../../packages/app/src/trading/time.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * The risk gate over HTTP: each of SPEC §3's checks rejects a strategy order at its boundary
 * through POST /v1/orders (the effective limit: the hard one, or a tenant's tighter setting), with
 * nothing written but the decision; the two races; the halt surviving a restart.
 */
let t: TestRuntime;
let nav: string;
let admin: string;
const P = { 'X-Project-Id': 'p_demo' };
const prefix = `t${randomBytes(5).toString('hex')}`;
let keySeq = 0;
const key = () => `risk-test-${++keySeq}-${Date.now()}`;
let clock = Date.UTC(2027, 2, 1, 10, 0, 0);
const nextMinute = () => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
};

async function tokens() {
  nav = await t.token('u_navigator', 't_demo', '6h');
  admin = await t.token('u_admin', 't_demo', '6h');
}

beforeAll(async () => {
  t = await startRuntime({ now: () => clock, tablePrefix: prefix });
  await tokens();
});
beforeEach(nextMinute);
afterAll(async () => {
  await t.stop();
});

const post = (path: string, body: unknown, o: { token?: string; idem?: string | null } = {}) =>
  t.call('POST', path, {
    token: o.token ?? nav,
    headers: { ...P, ...(o.idem === null ? {} : { 'Idempotency-Key': o.idem ?? key() }) },
    body,
  });
const get = (path: string, token = nav) => t.call('GET', path, { token, headers: P });

async function simAccount(initialBalance = '10000') {
  const r = await post('/v1/accounts', {
    name: 'Risk',
    venue: 'SIMULATION',
    simulation: { initialBalance, slippageBps: 0 },
  });
  expect(r.status, r.text).toBe(201);
  const accountId = String(r.body.accountId);
  const m = await t.call('PUT', `/v1/accounts/${accountId}/mode`, {
    token: nav,
    headers: { ...P, 'If-Match': '"1"' },
    body: { mode: 'AUTONOMOUS' },
  });
  expect(m.status, m.text).toBe(200);
  return { accountId, portfolioId: String(r.body.portfolioId) };
}

async function prices(accountId: string, list: Array<Record<string, string>>) {
  const r = await post(`/v1/accounts/${accountId}/prices`, { prices: list }, { idem: null });
  expect(r.status, r.text).toBe(200);
  return r;
}

async function settings(body: Record<string, unknown>) {
  const current = await t.call('GET', '/v1/trading/settings', { token: admin });
  const r = await t.call('PUT', '/v1/trading/settings', {
    token: admin,
    headers: { 'If-Match': String(current.headers.get('etag')) },
    body,
  });
  return r;
}

const strategyOrder = (accountId: string, o: Record<string, string>) =>
  post('/v1/orders', { accountId, side: 'buy', strategy: 'trend', ...o });

const checkOf = (r: CallResult, id: string) =>
  (r.body.checks as Array<{ id: string; passed: boolean; applicable?: boolean }>).find((c) => c.id === id);

/** What a rejection may leave behind: the decision and nothing else. */
async function writtenSince(accountId: string, portfolioId: string) {
  const orders = await get(`/v1/orders?accountId=${accountId}&limit=200`);
  const decisions = await get(`/v1/risk/decisions?accountId=${accountId}&limit=200`);
  const ledger = await get(`/v1/portfolios/${portfolioId}/transactions?limit=200`);
  return {
    orders: orders.body.items?.length ?? 0,
    decisions: decisions.body.items?.length ?? 0,
    entries: ledger.body.items?.length ?? 0,
  };
}

async function expectRejectedBy(accountId: string, portfolioId: string, order: Record<string, string>, check: string) {
  const before = await writtenSince(accountId, portfolioId);
  const r = await strategyOrder(accountId, order);
  expect(r.status, r.text).toBe(422);
  expect(r.body.code).toBe('RISK_REJECTED');
  expect(r.body.firstFailure).toBe(check);
  expect(checkOf(r, check)?.passed).toBe(false);
  // every check of the set is reported
  expect((r.body.checks as unknown[]).length).toBeGreaterThanOrEqual(11);
  const after = await writtenSince(accountId, portfolioId);
  expect(after).toEqual({ ...before, decisions: before.decisions + 1 });
  return r;
}

async function expectPasses(accountId: string, order: Record<string, string>) {
  const r = await strategyOrder(accountId, order);
  expect(r.status, r.text).toBe(201);
  return r;
}

describe('each check rejects a strategy order at its boundary, writing only the decision', () => {
  it('6b and 10: notional exactly 10% of equity and risk exactly 2% pass; a cent more rejects', async () => {
    const { accountId, portfolioId } = await simAccount();
    await prices(accountId, [{ symbol: 'AAPL', price: '100' }]);
    // 10 × 100 = 1000 = 10% of 10,000; at risk 10 × (100 − 80) = 200 = 2%; reward 10 × 30 ≥ 1.5 × risk
    await expectPasses(accountId, { symbol: 'AAPL', quantity: '10', stopLoss: '80', takeProfit: '130' });
    const { accountId: other, portfolioId: otherPf } = await simAccount();
    await prices(other, [{ symbol: 'AAPL', price: '100.01' }]);
    await expectRejectedBy(
      other,
      otherPf,
      { symbol: 'AAPL', quantity: '10', stopLoss: '90', takeProfit: '130' },
      'positionPctOfEquity',
    );
    await prices(other, [{ symbol: 'AAPL', price: '100' }]);
    const risk = await expectRejectedBy(
      other,
      otherPf,
      { symbol: 'AAPL', quantity: '10', stopLoss: '79.99', takeProfit: '140' },
      'riskPerTrade',
    );
    expect(checkOf(risk, 'positionPctOfEquity')?.passed).toBe(true);
    void portfolioId;
  });

  it('7: reward/risk exactly 1.5 passes, below rejects', async () => {
    const { accountId, portfolioId } = await simAccount();
    await prices(accountId, [{ symbol: 'MSFT', price: '100' }]);
    await expectRejectedBy(
      accountId,
      portfolioId,
      { symbol: 'MSFT', quantity: '5', stopLoss: '98', takeProfit: '102.99' },
      'riskReward',
    );
    await expectPasses(accountId, { symbol: 'MSFT', quantity: '5', stopLoss: '98', takeProfit: '103' });
  });

  it('6a: the lots check applies only with a lot size: > 1 lot rejects; "not applicable" without one', async () => {
    const { accountId, portfolioId } = await simAccount('1000000');
    await prices(accountId, [{ symbol: 'EUR-USD', price: '1' }]);
    const over = await expectRejectedBy(
      accountId,
      portfolioId,
      { symbol: 'EUR-USD', quantity: '100001', lotSize: '100000', stopLoss: '0.999', takeProfit: '1.002' },
      'positionLots',
    );
    expect(checkOf(over, 'positionLots')?.applicable).not.toBe(false);
    await expectPasses(accountId, {
      symbol: 'EUR-USD',
      quantity: '100000',
      lotSize: '100000',
      stopLoss: '0.999',
      takeProfit: '1.002',
    });
    const shares = await post('/v1/risk/validate', {
      accountId,
      symbol: 'EUR-USD',
      side: 'buy',
      strategy: 'trend',
      quantity: '5000',
      stopLoss: '0.999',
      takeProfit: '1.002',
    });
    expect(shares.status, shares.text).toBe(200);
    expect(checkOf(shares, 'positionLots')).toMatchObject({ passed: true, applicable: false });
  });

  it('3, 4, 5 on tightened settings: open positions, trades today and trades this hour', async () => {
    const tightened = await settings({ riskLimits: { maxOpenPositions: 3, maxTradesPerDay: 3, maxTradesPerHour: 2 } });
    expect(tightened.status, tightened.text).toBe(200);
    try {
      const { accountId, portfolioId } = await simAccount('100000');
      await prices(
        accountId,
        ['AAPL', 'MSFT', 'VTI', 'BND'].map((symbol) => ({ symbol, price: '100' })),
      );
      const order = (symbol: string) => ({ symbol, quantity: '1', stopLoss: '95', takeProfit: '110' });
      await expectPasses(accountId, order('AAPL'));
      await expectPasses(accountId, order('MSFT'));
      // two filled strategy orders in the last hour: the third is refused by the hour's count
      await expectRejectedBy(accountId, portfolioId, order('VTI'), 'tradesThisHour');
      clock += 61 * 60_000;
      await expectPasses(accountId, order('VTI'));
      clock += 61 * 60_000;
      // three positions open: a fourth is refused by the open-position count
      await expectRejectedBy(accountId, portfolioId, order('BND'), 'openPositions');
      const sell = await post('/v1/orders', { accountId, symbol: 'VTI', side: 'sell', quantity: '1' });
      expect(sell.status, sell.text).toBe(201);
      // a position fewer, but three trades this day already
      await expectRejectedBy(accountId, portfolioId, order('BND'), 'tradesToday');
    } finally {
      const restored = await settings({ riskLimits: {} });
      expect(restored.status, restored.text).toBe(200);
    }
  });

  it('9: a realised loss of 5% of the day-start equity rejects; 4.99% passes', async () => {
    const { accountId, portfolioId } = await simAccount();
    await prices(accountId, [{ symbol: 'VTI', price: '100' }]);
    const buy = await post('/v1/orders', { accountId, symbol: 'VTI', side: 'buy', quantity: '100' });
    expect(buy.status, buy.text).toBe(201);
    await prices(accountId, [{ symbol: 'VTI', price: '95.01' }]);
    const sellSome = await post('/v1/orders', { accountId, symbol: 'VTI', side: 'sell', quantity: '100' });
    expect(sellSome.status, sellSome.text).toBe(201);
    // loss 499 = 4.99% of 10,000
    await prices(accountId, [{ symbol: 'AAPL', price: '100' }]);
    await expectPasses(accountId, { symbol: 'AAPL', quantity: '1', stopLoss: '95', takeProfit: '110' });
    const { accountId: second, portfolioId: secondPf } = await simAccount();
    await prices(second, [
      { symbol: 'VTI', price: '100' },
      { symbol: 'AAPL', price: '100' },
    ]);
    await post('/v1/orders', { accountId: second, symbol: 'VTI', side: 'buy', quantity: '100' });
    await prices(second, [{ symbol: 'VTI', price: '95' }]);
    await post('/v1/orders', { accountId: second, symbol: 'VTI', side: 'sell', quantity: '100' });
    const r = await expectRejectedBy(
      second,
      secondPf,
      { symbol: 'AAPL', quantity: '1', stopLoss: '95', takeProfit: '110' },
      'dailyLoss',
    );
    expect(r.body.detail).toContain('Daily loss');
    void portfolioId;
  });

  it('8: a strategy not enabled is refused; a bracket stop inside a bar, 1 loss, and it is disabled', async () => {
    const set = await settings({ riskLimits: { maxConsecutiveLosses: 1 }, enabledStrategies: ['trend', 'breakout'] });
    expect(set.status, set.text).toBe(200);
    try {
      const { accountId, portfolioId } = await simAccount();
      await prices(accountId, [{ symbol: 'AAPL', price: '100' }]);
      await expectRejectedBy(
        accountId,
        portfolioId,
        { symbol: 'AAPL', quantity: '1', stopLoss: '95', takeProfit: '110', strategy: 'auction' },
        'strategyEnabled',
      );
      await expectPasses(accountId, { symbol: 'AAPL', quantity: '5', stopLoss: '95', takeProfit: '110' });
      // a bar whose low goes through the stop: the stop fills inside it, at the stop
      const bar = await prices(accountId, [{ symbol: 'AAPL', open: '99', high: '101', low: '94', price: '100' }]);
      const fills = bar.body.fills as Array<{ price: string; reason: string }>;
      expect(fills).toHaveLength(1);
      expect(fills[0]).toMatchObject({ price: '95', reason: 'bracket-stop' });
      const positions = await get(`/v1/accounts/${accountId}/positions`);
      expect(positions.body.items).toEqual([]);
      await expectRejectedBy(
        accountId,
        portfolioId,
        { symbol: 'AAPL', quantity: '1', stopLoss: '95', takeProfit: '110' },
        'strategyEnabled',
      );
      const budgets = await get(`/v1/risk/budgets?accountId=${accountId}`);
      const trend = (budgets.body.items as Array<Record<string, unknown>>).find((b) => b.strategy === 'trend');
      expect(trend).toMatchObject({ enabled: false, consecutiveLosses: 1, losses: 1 });
      const enabled = await post(
        `/v1/risk/strategies/trend/enable`,
        { accountId, reason: 'reviewed the loss' },
        {
          token: admin,
          idem: null,
        },
      );
      expect(enabled.status, enabled.text).toBe(200);
      await expectPasses(accountId, { symbol: 'AAPL', quantity: '1', stopLoss: '95', takeProfit: '110' });
    } finally {
      await settings({});
    }
  });

  it('1 and 2: drawdown at 15% halts the account; the halt survives a restart; only an admin resets it', async () => {
    const { accountId, portfolioId } = await simAccount();
    await prices(accountId, [{ symbol: 'BND', price: '100' }]);
    const buy = await post('/v1/orders', { accountId, symbol: 'BND', side: 'buy', quantity: '100' });
    expect(buy.status, buy.text).toBe(201);
    // 14.99%: still trading
    const near = await prices(accountId, [{ symbol: 'BND', price: '85.01' }]);
    expect(near.body.tradingState).toBe('ACTIVE');
    // exactly 15%: the breaker trips
    const at = await prices(accountId, [{ symbol: 'BND', price: '85' }]);
    expect(at.body.tradingState).toBe('HALTED');
    const refused = await expectRejectedBy(
      accountId,
      portfolioId,
      { symbol: 'BND', quantity: '1', stopLoss: '80', takeProfit: '95' },
      'emergencyShutdown',
    );
    expect(checkOf(refused, 'drawdown')?.passed).toBe(false);
    // restart the runtime on the same tables: the circuit breaker is persisted
    await t.stop();
    t = await startRuntime({ now: () => clock, tablePrefix: prefix });
    await tokens();
    const state = await get(`/v1/risk/state?accountId=${accountId}`);
    expect(state.body).toMatchObject({ tradingState: 'HALTED', emergencyShutdown: { active: true } });
    const still = await post('/v1/orders', { accountId, symbol: 'BND', side: 'buy', quantity: '1' });
    expect(still.status).toBe(422);
    expect(still.body.firstFailure).toBe('tradingState');
    // a trader cannot reset it; an admin can, with a reason
    const byTrader = await post('/v1/risk/emergency/reset', { accountId, reason: 'let me trade' }, { idem: null });
    expect(byTrader.status).toBe(403);
    const reset = await post(
      '/v1/risk/emergency/reset',
      { accountId, reason: 'reviewed the drawdown' },
      {
        token: admin,
        idem: null,
      },
    );
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body).toMatchObject({
      tradingState: 'ACTIVE',
      emergencyShutdown: { active: false, resetBy: 'u_admin' },
    });
  });
});

describe('the kill switch', () => {
  it('halts one account, or every account of the tenant; REDUCING still lets a position shrink', async () => {
    const a = await simAccount();
    const b = await simAccount();
    await prices(a.accountId, [{ symbol: 'AAPL', price: '100' }]);
    await post('/v1/orders', { accountId: a.accountId, symbol: 'AAPL', side: 'buy', quantity: '2' });
    const reduce = await post(
      '/v1/risk/halt',
      { accountId: a.accountId, reason: 'winding down', reduceOnly: true },
      {
        idem: null,
      },
    );
    expect(reduce.status, reduce.text).toBe(200);
    expect(reduce.body.halted).toEqual([{ accountId: a.accountId, tradingState: 'REDUCING' }]);
    const buy = await post('/v1/orders', { accountId: a.accountId, symbol: 'AAPL', side: 'buy', quantity: '1' });
    expect(buy.status).toBe(422);
    expect(buy.body.firstFailure).toBe('tradingState');
    const sell = await post('/v1/orders', { accountId: a.accountId, symbol: 'AAPL', side: 'sell', quantity: '1' });
    expect(sell.status, sell.text).toBe(201);
    const all = await post('/v1/risk/halt', { reason: 'market closed early' }, { idem: null });
    expect(all.status, all.text).toBe(200);
    const halted = new Set((all.body.halted as Array<{ accountId: string }>).map((h) => h.accountId));
    expect(halted.has(a.accountId) && halted.has(b.accountId)).toBe(true);
    const state = await get(`/v1/risk/state?accountId=${b.accountId}`);
    expect(state.body.tradingState).toBe('HALTED');
  });
});

describe('races', () => {
  it('50 concurrent duplicates of one order: one order, one fill, one ledger entry', async () => {
    const { accountId, portfolioId } = await simAccount();
    await prices(accountId, [{ symbol: 'MSFT', price: '50' }]);
    const idem = key();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        post('/v1/orders', { accountId, symbol: 'MSFT', side: 'buy', quantity: '3' }, { idem }),
      ),
    );
    const created = answers.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.orderId)).size).toBe(1);
    for (const r of answers) expect([201, 409]).toContain(r.status);
    const orders = await get(`/v1/orders?accountId=${accountId}`);
    expect(orders.body.items).toHaveLength(1);
    expect((orders.body.items?.[0].fills as unknown[]).length).toBe(1);
    const ledger = await get(`/v1/portfolios/${portfolioId}/transactions`);
    expect(ledger.body.items?.filter((e) => e.type === 'BUY')).toHaveLength(1);
    const journal = await get(`/v1/journal/entries?accountId=${accountId}`);
    expect(journal.body.items).toHaveLength(1);
  });

  it('two orders that together breach a limit: exactly one passes', async () => {
    const tightened = await settings({ riskLimits: { maxOpenPositions: 1 } });
    expect(tightened.status, tightened.text).toBe(200);
    try {
      const { accountId } = await simAccount();
      await prices(accountId, [
        { symbol: 'AAPL', price: '100' },
        { symbol: 'MSFT', price: '100' },
      ]);
      const [one, two] = await Promise.all(
        ['AAPL', 'MSFT'].map((symbol) =>
          strategyOrder(accountId, { symbol, quantity: '1', stopLoss: '95', takeProfit: '110' }),
        ),
      );
      expect([one.status, two.status].sort()).toEqual([201, 422]);
      const loser = one.status === 422 ? one : two;
      expect(loser.body.firstFailure).toBe('openPositions');
    } finally {
      await settings({});
    }
  });
});

describe('settings', () => {
  it('a loosening is a 422 naming the limit; every version is kept with who, when, before and after', async () => {
    const loose = await settings({ riskLimits: { maxDrawdownPct: 20 } });
    expect(loose.status).toBe(422);
    expect(loose.body.code).toBe('LIMIT_LOOSENING_REFUSED');
    expect(loose.body.limit).toBe('maxDrawdownPct');
    const loose2 = await settings({ riskLimits: { minRiskReward: 1.2 } });
    expect(loose2.status).toBe(422);
    expect(loose2.body.limit).toBe('minRiskReward');
    const tight = await settings({ riskLimits: { maxDrawdownPct: 10 }, reason: 'quieter month' });
    expect(tight.status, tight.text).toBe(200);
    expect((tight.body.effectiveLimits as Record<string, number>).maxDrawdownPct).toBe(10);
    const history = await t.call('GET', '/v1/trading/settings/history', { token: admin });
    const latest = history.body.items?.[0] as Record<string, unknown>;
    expect(latest).toMatchObject({ by: 'u_admin', reason: 'quieter month' });
    expect((latest.after as { riskLimits: Record<string, number> }).riskLimits.maxDrawdownPct).toBe(10);
    const stale = await t.call('PUT', '/v1/trading/settings', {
      token: admin,
      headers: { 'If-Match': '"1"' },
      body: {},
    });
    expect(stale.status).toBe(412);
    const byTrader = await t.call('PUT', '/v1/trading/settings', {
      token: nav,
      headers: { 'If-Match': String(tight.headers.get('etag')) },
      body: {},
    });
    expect(byTrader.status).toBe(403);
    await settings({});
    const limits = await t.call('GET', '/v1/risk/limits', { token: nav });
    expect(limits.body.limits).toMatchObject({ maxDrawdownPct: 15, maxOpenPositions: 10, maxRiskPerTradePct: 2 });
  });
});

describe('the daily reset', () => {
  it("starts each account's trading day at the tenant's local midnight, as a job", async () => {
    const set = await settings({ timezone: 'America/New_York' });
    expect(set.status, set.text).toBe(200);
    try {
      const { accountId } = await simAccount();
      await prices(accountId, [{ symbol: 'AAPL', price: '100' }]);
      await post('/v1/orders', { accountId, symbol: 'AAPL', side: 'buy', quantity: '10' });
      await prices(accountId, [{ symbol: 'AAPL', price: '90' }]);
      await post('/v1/orders', { accountId, symbol: 'AAPL', side: 'sell', quantity: '10' });
      const before = await get(`/v1/risk/state?accountId=${accountId}`);
      expect(before.body.dailyPnl).toBe('-100');
      const midnight = nextLocalMidnight(clock, 'America/New_York');
      clock = midnight + 60_000;
      await t.rt.jobs.tick();
      const after = await get(`/v1/risk/state?accountId=${accountId}`);
      expect(after.body).toMatchObject({ dailyPnl: '0', dayStart: new Date(midnight).toISOString(), equity: '9900' });
      // written by the job (reads roll the day too, but never store it)
      expect(Number(after.body.version)).toBe(Number(before.body.version) + 1);
    } finally {
      await settings({});
    }
  });
});
