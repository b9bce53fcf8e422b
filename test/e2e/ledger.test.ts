import { Dec } from '../../packages/core/src/money.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_ROUTES } from '../../packages/app/src/routes.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
let nav: string;
let obs: string;
let acme: string;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `ledger-test-${++keySeq}-${Date.now()}`;
// The runtime's clock, stepped a minute per test so each starts with a fresh rate-limit window.
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const nextMinute = () => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_navigator', 't_demo', '6h');
  obs = await t.token('u_observer', 't_demo', '6h');
  acme = await t.token('u_acme', 't_acme', '6h');
});
beforeEach(nextMinute);
afterAll(async () => {
  await t.stop();
});

async function newPortfolio(cash = '10000.00', extra: Record<string, unknown> = {}) {
  const r = await t.call('POST', '/v1/portfolios', {
    token: nav,
    headers: { ...P, 'Idempotency-Key': key() },
    body: { name: 'Ledger', baseCurrency: 'USD', cash, ...extra },
  });
  expect(r.status).toBe(201);
  return String(r.body.portfolioId);
}

function tx(portfolioId: string, body: Record<string, unknown>, o: { token?: string; idem?: string } = {}) {
  return t.call('POST', `/v1/portfolios/${portfolioId}/transactions`, {
    token: o.token ?? nav,
    headers: { ...P, 'Idempotency-Key': o.idem ?? key() },
    body,
  });
}

async function ok(portfolioId: string, body: Record<string, unknown>) {
  const r = await tx(portfolioId, body);
  expect(r.status, r.text).toBe(201);
  return r.body as { transaction: { txId: string; effect: Record<string, unknown> }; cash: string };
}

const get = (path: string, token = nav) => t.call('GET', path, { token, headers: P });

describe('the ledger over HTTP', () => {
  it('FIFO lots and gains through buys, a sale across lots, a 2:1 split and another sale', async () => {
    const id = await newPortfolio('10000.00');
    // lot 1: 10 × 100 + 1 fee = 1001; cash 8999.00
    expect(
      (await ok(id, { type: 'BUY', symbol: 'AAPL', quantity: '10', price: '100', fee: '1', tradeDate: '2026-01-05' }))
        .cash,
    ).toBe('8999.00');
    // lot 2: 5 × 110 + 0.50 = 550.5; cash 8448.50
    await ok(id, { type: 'BUY', symbol: 'AAPL', quantity: '5', price: '110', fee: '0.50', tradeDate: '2026-02-02' });
    // lot 3: 5 × 120.25 = 601.25; cash 7847.25
    expect(
      (await ok(id, { type: 'BUY', symbol: 'AAPL', quantity: '5', price: '120.25', tradeDate: '2026-03-02' })).cash,
    ).toBe('7847.25');
    // sell 12 @ 130 − 2 fee = 1558 proceeds; takes lot 1 (1001) and 2 of lot 2 (550.5 × 2/5 = 220.2): gain 336.8
    const sell1 = await ok(id, {
      type: 'SELL',
      symbol: 'AAPL',
      quantity: '12',
      price: '130',
      fee: '2',
      tradeDate: '2026-04-01',
    });
    expect(sell1.cash).toBe('9405.25');
    expect(sell1.transaction.effect.realised).toMatchObject({ proceeds: '1558', costBasis: '1221.2', gain: '336.8' });
    // 2:1 split: lot 2 → 6 shares (basis 330.3), lot 3 → 10 shares (basis 601.25)
    await ok(id, { type: 'SPLIT', symbol: 'AAPL', ratio: '2:1', tradeDate: '2026-05-01' });
    // sell 7 @ 70 − 1 = 489; takes lot 2 (330.3) and 1 of lot 3 (60.125): gain 98.575
    const sell2 = await ok(id, {
      type: 'SELL',
      symbol: 'AAPL',
      quantity: '7',
      price: '70',
      fee: '1',
      tradeDate: '2026-05-15',
    });
    expect(sell2.cash).toBe('9894.25');
    expect(sell2.transaction.effect.realised).toMatchObject({ costBasis: '390.425', gain: '98.575' });

    const detail = await get(`/v1/portfolios/${id}/holdings/AAPL`);
    expect(detail.status, detail.text).toBe(200);
    const h = detail.body as unknown as {
      quantity: string;
      costBasis: string;
      averageCost: string;
      realisedGain: string;
      price: string | null;
      marketValue: string | null;
      unrealisedGain: { amount: string } | null;
      lots: Array<{ quantity: string; unitCost: string; costBasis: string; acquired: string }>;
      realisedHistory: Array<{ gain: string }>;
    };
    expect(h).toMatchObject({ quantity: '9', costBasis: '541.125', averageCost: '60.125', realisedGain: '435.375' });
    expect(h.lots).toEqual([
      expect.objectContaining({ acquired: '2026-03-02', quantity: '9', unitCost: '60.125', costBasis: '541.125' }),
    ]);
    expect(h.realisedHistory.map((r) => r.gain)).toEqual(['336.8', '98.575']);
    // unrealised = 9 × the price the API reports − 541.125, exactly
    expect(h.price).not.toBeNull();
    const price = new Dec(String(h.price));
    expect(new Dec(String(h.marketValue)).eq(price.times(9))).toBe(true);
    expect(new Dec(String(h.unrealisedGain?.amount)).eq(price.times(9).minus('541.125'))).toBe(true);

    const list = await get(`/v1/portfolios/${id}/holdings`);
    expect(list.status).toBe(200);
    expect(list.body.items?.map((i) => i.symbol)).toEqual(['AAPL']);
    const summary = await get(`/v1/portfolios/${id}/summary`);
    expect(summary.status, summary.text).toBe(200);
    expect(summary.body).toMatchObject({ cash: '9894.25', holdings: 1, netContributions: '10000.00', unpriced: [] });
    const value = new Dec(String(summary.body.value));
    expect(value.eq(price.times(9).plus('9894.25').toDecimalPlaces(2))).toBe(true);
    expect(new Dec(String((summary.body.totalGain as { amount: string }).amount)).eq(value.minus(10000))).toBe(true);

    // the ledger: newest trade date first, filters by type and date range
    const ledger = await get(`/v1/portfolios/${id}/transactions`);
    expect(ledger.body.items?.map((e) => e.type)).toEqual(['SELL', 'SPLIT', 'SELL', 'BUY', 'BUY', 'BUY']);
    const sells = await get(`/v1/portfolios/${id}/transactions?type=SELL&from=2026-04-01&to=2026-04-30`);
    expect(sells.body.items?.map((e) => e.tradeDate)).toEqual(['2026-04-01']);
    const page1 = await get(`/v1/portfolios/${id}/transactions?limit=4`);
    expect(page1.body.items).toHaveLength(4);
    const page2 = await get(`/v1/portfolios/${id}/transactions?limit=4&cursor=${String(page1.body.nextCursor)}`);
    expect(page2.body.items?.map((e) => e.type)).toEqual(['BUY', 'BUY']);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('selling more than held or withdrawing more than the cash is a 422 with nothing written', async () => {
    const id = await newPortfolio('100.00');
    await ok(id, { type: 'BUY', symbol: 'MSFT', quantity: '2', price: '40', tradeDate: '2026-01-05' });
    const before = await get(`/v1/portfolios/${id}/transactions`);
    const over = await tx(id, { type: 'SELL', symbol: 'MSFT', quantity: '2.5', price: '40', tradeDate: '2026-01-06' });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'INSUFFICIENT_QUANTITY' });
    const none = await tx(id, { type: 'SELL', symbol: 'NVDA', quantity: '1', price: '40', tradeDate: '2026-01-06' });
    expect(none.body.code).toBe('INSUFFICIENT_QUANTITY');
    const withdraw = await tx(id, { type: 'WITHDRAWAL', amount: '20.01', tradeDate: '2026-01-06' });
    expect(withdraw.status).toBe(422);
    expect(withdraw.body.code).toBe('INSUFFICIENT_CASH');
    const buy = await tx(id, { type: 'BUY', symbol: 'MSFT', quantity: '1', price: '20.01', tradeDate: '2026-01-06' });
    expect(buy.body.code).toBe('INSUFFICIENT_CASH');
    const after = await get(`/v1/portfolios/${id}/transactions`);
    expect(after.body.items).toEqual(before.body.items);
    expect((await get(`/v1/portfolios/${id}`)).body.cash).toBe('20.00');
    // a portfolio that allows negative cash takes the same buy
    const margin = await newPortfolio('0.00', { allowNegativeCash: true });
    expect(
      (await ok(margin, { type: 'BUY', symbol: 'MSFT', quantity: '1', price: '20.01', tradeDate: '2026-01-06' })).cash,
    ).toBe('-20.01');
  });

  it('a request that breaks the type’s shape is a 400 naming the field; the key is required', async () => {
    const id = await newPortfolio();
    const missing = await tx(id, { type: 'BUY', symbol: 'AAPL', quantity: '1', tradeDate: '2026-01-05' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toContainEqual({ path: 'body.price', message: 'is required for BUY' });
    const extra = await tx(id, { type: 'DEPOSIT', amount: '1', ratio: '2:1', tradeDate: '2026-01-05' });
    expect(extra.body.errors).toContainEqual({ path: 'body.ratio', message: 'is not taken by DEPOSIT' });
    const float = await tx(id, { type: 'DEPOSIT', amount: 1.5, tradeDate: '2026-01-05' });
    expect(float.status).toBe(400);
    const noKey = await t.call('POST', `/v1/portfolios/${id}/transactions`, {
      token: nav,
      headers: P,
      body: { type: 'DEPOSIT', amount: '1', tradeDate: '2026-01-05' },
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const observer = await tx(id, { type: 'DEPOSIT', amount: '1', tradeDate: '2026-01-05' }, { token: obs });
    expect(observer.status).toBe(403);
  });

  it('a replay with the same key records nothing twice', async () => {
    const id = await newPortfolio('0.00');
    const idem = key();
    const first = await tx(id, { type: 'DEPOSIT', amount: '50', tradeDate: '2026-01-05' }, { idem });
    const again = await tx(id, { type: 'DEPOSIT', amount: '50', tradeDate: '2026-01-05' }, { idem });
    expect(first.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await get(`/v1/portfolios/${id}`)).body.cash).toBe('50.00');
  });

  it('20 concurrent transactions on one portfolio all land, with consistent cash', async () => {
    const id = await newPortfolio('1000.00');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? tx(id, { type: 'BUY', symbol: 'VTI', quantity: '1', price: '10', fee: '0.25', tradeDate: '2026-01-05' })
          : tx(id, { type: 'DEPOSIT', amount: '5', tradeDate: '2026-01-05' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    // 1000 − 10 × 10.25 + 10 × 5
    expect((await get(`/v1/portfolios/${id}`)).body.cash).toBe('947.50');
    const holding = await get(`/v1/portfolios/${id}/holdings/VTI`);
    expect(holding.body).toMatchObject({ quantity: '10', costBasis: '102.5' });
    expect((holding.body.lots as unknown[]).length).toBe(10);
    const ledger = await get(`/v1/portfolios/${id}/transactions?limit=50`);
    expect(ledger.body.items).toHaveLength(20);
  });

  it('a reversal restores holdings and cash, references the original, and cannot be repeated', async () => {
    const id = await newPortfolio('1000.00');
    const buy = await ok(id, { type: 'BUY', symbol: 'BND', quantity: '10', price: '10', tradeDate: '2026-01-05' });
    const sell = await ok(id, { type: 'SELL', symbol: 'BND', quantity: '4', price: '12', tradeDate: '2026-01-06' });
    expect(sell.cash).toBe('948.00');
    const reverse = (txId: string) =>
      t.call('POST', `/v1/portfolios/${id}/transactions/${txId}/reverse`, {
        token: nav,
        headers: { ...P, 'Idempotency-Key': key() },
        body: { note: 'entered twice' },
      });
    const r = await reverse(sell.transaction.txId);
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ cash: '900.00', transaction: { reversalOf: sell.transaction.txId, type: 'SELL' } });
    expect((await get(`/v1/portfolios/${id}/holdings/BND`)).body).toMatchObject({ quantity: '10', realisedGain: '0' });
    expect((await reverse(sell.transaction.txId)).body.code).toBe('ALREADY_REVERSED');
    // the original is untouched and still listed, next to its reversal
    const original = await get(`/v1/portfolios/${id}/transactions/${sell.transaction.txId}`);
    expect(original.body).toMatchObject({ type: 'SELL', quantity: '4' });
    expect((await get(`/v1/portfolios/${id}/transactions`)).body.items).toHaveLength(3);
    // a buy a later sell needs cannot be reversed
    await ok(id, { type: 'SELL', symbol: 'BND', quantity: '5', price: '12', tradeDate: '2026-01-07' });
    const refused = await reverse(buy.transaction.txId);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('REVERSAL_REFUSED');
    const reversal = String((r.body.transaction as { txId: string }).txId);
    expect((await reverse(reversal)).body.code).toBe('CANNOT_REVERSE_REVERSAL');
  });

  it('a back-dated buy changes which lots a later sale took (FIFO by trade date)', async () => {
    const id = await newPortfolio('1000.00');
    await ok(id, { type: 'BUY', symbol: 'MSFT', quantity: '1', price: '20', tradeDate: '2026-02-01' });
    await ok(id, { type: 'SELL', symbol: 'MSFT', quantity: '1', price: '30', tradeDate: '2026-03-01' });
    await ok(id, { type: 'BUY', symbol: 'MSFT', quantity: '1', price: '10', tradeDate: '2026-01-01' });
    const h = await get(`/v1/portfolios/${id}/holdings/MSFT`);
    // the sale took the January lot (10): gain 20; the February lot (20) is what is left
    expect(h.body).toMatchObject({ quantity: '1', costBasis: '20', realisedGain: '20' });
    expect((await get(`/v1/portfolios/${id}`)).body.cash).toBe('1000.00');
  });

  it('an externalId is recorded once', async () => {
    const id = await newPortfolio('100.00');
    await ok(id, { type: 'DEPOSIT', amount: '1', tradeDate: '2026-01-05', externalId: 'bank-1' });
    const dup = await tx(id, { type: 'DEPOSIT', amount: '1', tradeDate: '2026-01-05', externalId: 'bank-1' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('DUPLICATE_TRANSACTION');
  });

  it('cash and currency of a portfolio with a ledger change only through entries', async () => {
    const id = await newPortfolio('100.00');
    await ok(id, { type: 'DEPOSIT', amount: '1', tradeDate: '2026-01-05' });
    const p = await get(`/v1/portfolios/${id}`);
    const patch = (body: Record<string, unknown>) =>
      t.call('PATCH', `/v1/portfolios/${id}`, {
        token: nav,
        headers: { ...P, 'If-Match': String(p.headers.get('etag')) },
        body,
      });
    expect((await patch({ cash: '5.00' })).body.code).toBe('CASH_MANAGED_BY_LEDGER');
    expect((await patch({ baseCurrency: 'EUR' })).body.code).toBe('CURRENCY_CHANGE_REFUSED');
    expect((await patch({ name: 'Renamed' })).status).toBe(200);
  });
});

describe('ledger routes are closed to other tenants and projects', () => {
  it('every id route of a portfolio answers 403/404 to a member of another tenant or project', async () => {
    const id = await newPortfolio('100.00');
    const sale = await ok(id, { type: 'DEPOSIT', amount: '1', tradeDate: '2026-01-05' });
    const imports = await t.call('GET', `/v1/portfolios/${id}/imports`, { token: nav, headers: P });
    expect(imports.status).toBe(200);
    const routes = ALL_ROUTES.filter((r) => r.path.startsWith('/v1/portfolios/{portfolioId}'));
    expect(routes.length).toBeGreaterThanOrEqual(14);
    const admin = await t.token('u_admin', 't_demo', '6h');
    const otherProject = await t.call('POST', '/v1/tenants/t_demo/projects', {
      token: admin,
      body: { projectId: 'p_second', name: 'Second project' },
    });
    expect(otherProject.status).toBe(201);
    const otherProjectId = 'p_second';
    for (const r of routes) {
      nextMinute();
      const path = r.path
        .replace('{portfolioId}', id)
        .replace('{txId}', sale.transaction.txId)
        .replace('{symbol}', 'AAPL')
        .replace('{importId}', 'im_01JZZZZZZZZZZZZZZZZZZZZZZZ');
      const csv = r.bodyTypes?.includes('text/csv') && !r.bodyTypes.includes('application/json');
      const body = r.method === 'GET' || r.method === 'DELETE' || csv ? undefined : {};
      const headers = {
        'Idempotency-Key': key(),
        'If-Match': '"1"',
        ...(csv ? { 'Content-Type': 'text/csv' } : {}),
      };
      // another tenant's member naming this tenant is refused; naming its own project finds nothing
      const rawBody = csv ? 'type,tradeDate\nDEPOSIT,2026-01-05\n' : undefined;
      const named = await t.call(r.method, path, {
        token: acme,
        headers: { ...headers, 'X-Tenant-Id': 't_demo', 'X-Project-Id': 'p_demo' },
        body,
        rawBody,
      });
      expect(named.status, `${r.id} from another tenant: ${named.text}`).toBe(403);
      const foreign = await t.call(r.method, path, {
        token: acme,
        headers: { ...headers, 'X-Project-Id': 'p_acme' },
        body,
        rawBody,
      });
      expect([400, 404], `${r.id} from another tenant: ${foreign.status} ${foreign.text}`).toContain(foreign.status);
      if (foreign.status === 400) expect(foreign.body.code).toBe('VALIDATION_FAILED');
      const cross = await t.call(r.method, path, {
        token: admin,
        headers: { ...headers, 'X-Project-Id': otherProjectId },
        body,
        rawBody,
      });
      expect([400, 403, 404], `${r.id} from another project: ${cross.status} ${cross.text}`).toContain(cross.status);
      if (cross.status === 400) expect(cross.body.code).toBe('VALIDATION_FAILED');
    }
    // nothing happened to the portfolio
    expect((await get(`/v1/portfolios/${id}`)).body.cash).toBe('101.00');
  });
});
