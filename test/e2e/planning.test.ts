import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import type { allocation } from '../../packages/app/src/planning/schemas.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

type Allocation = z.output<ReturnType<typeof allocation>>;
const allocationOf = (r: CallResult) => r.body as unknown as Allocation;

/** The planning context over HTTP: categories, assignments, exclusions and the allocation view. */

let t: TestRuntime;
let nav: string;
let obs: string;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `planning-test-${++keySeq}-${Date.now()}`;
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const nextMinute = () => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_navigator', 't_demo', '6h');
  obs = await t.token('u_observer', 't_demo', '6h');
});
beforeEach(nextMinute);
afterAll(async () => {
  await t.stop();
});

const call = (
  method: string,
  path: string,
  body?: unknown,
  o: { token?: string; headers?: Record<string, string> } = {},
) => t.call(method, path, { token: o.token ?? nav, headers: { ...P, ...o.headers }, body });
const get = (path: string, token = nav) => call('GET', path, undefined, { token });

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

async function portfolio(body: Record<string, unknown> = { name: 'Plan' }): Promise<string> {
  const r = await call('POST', '/v1/portfolios', body);
  expectStatus(r, 201);
  return String(r.body.portfolioId);
}

const categoryBody = (code: string, targetPct: string, extra: Record<string, unknown> = {}) => ({
  name: `Category ${code}`,
  code,
  type: 'equity',
  targetPct,
  ...extra,
});

async function category(pf: string, body: Record<string, unknown>) {
  const r = await call('POST', `/v1/portfolios/${pf}/categories`, body);
  expectStatus(r, 201);
  return r;
}

const record = (pf: string, body: Record<string, unknown>) =>
  call('POST', `/v1/portfolios/${pf}/transactions`, body, { headers: { 'Idempotency-Key': key() } });

describe('categories', () => {
  it('create answers 201 with Location and ETag; get, list, replace and delete follow the version', async () => {
    const pf = await portfolio();
    const created = await category(pf, categoryBody('US_EQ', '60', { minPct: '55', maxPct: '65', riskLevel: 4 }));
    const id = String(created.body.categoryId);
    expect(id).toMatch(/^ct_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(created.headers.get('location')).toBe(`/v1/portfolios/${pf}/categories/${id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ rebalanceThresholdPct: '3', taxLossHarvesting: false, version: 1 });

    const read = await get(`/v1/portfolios/${pf}/categories/${id}`);
    expectStatus(read, 200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body.code).toBe('US_EQ');

    const path = `/v1/portfolios/${pf}/categories/${id}`;
    const replacement = categoryBody('US_EQ', '50', { type: 'bond' });
    expectStatus(await call('PUT', path, replacement), 428, 'IF_MATCH_REQUIRED');
    expectStatus(await call('PUT', path, replacement, { headers: { 'If-Match': '"7"' } }), 412, 'VERSION_MISMATCH');
    const replaced = await call('PUT', path, replacement, { headers: { 'If-Match': '"1"' } });
    expectStatus(replaced, 200);
    expect(replaced.headers.get('etag')).toBe('"2"');
    // a full replace: what the body leaves out is cleared
    expect(replaced.body).toMatchObject({ type: 'bond', targetPct: '50', version: 2 });
    expect(replaced.body).not.toHaveProperty('minPct');
    expect(replaced.body).not.toHaveProperty('riskLevel');

    await category(pf, categoryBody('INTL', '20'));
    const page = await get(`/v1/portfolios/${pf}/categories?limit=1`);
    expectStatus(page, 200);
    expect(page.body.items?.map((c) => c.code)).toEqual(['INTL']);
    const next = await get(`/v1/portfolios/${pf}/categories?limit=1&cursor=${String(page.body.nextCursor)}`);
    expect(next.body.items?.map((c) => c.code)).toEqual(['US_EQ']);

    expectStatus(await call('DELETE', path), 428, 'IF_MATCH_REQUIRED');
    expectStatus(await call('DELETE', path, undefined, { headers: { 'If-Match': '"1"' } }), 412, 'VERSION_MISMATCH');
    expectStatus(await call('DELETE', path, undefined, { headers: { 'If-Match': '"2"' } }), 204);
    expectStatus(await get(path), 404, 'CATEGORY_NOT_FOUND');
    // its code is free again
    await category(pf, categoryBody('US_EQ', '10'));
  });

  it('codes are unique within a portfolio (409), not across portfolios; a replace cannot take one', async () => {
    const pf = await portfolio();
    await category(pf, categoryBody('BONDS', '30'));
    expectStatus(
      await call('POST', `/v1/portfolios/${pf}/categories`, categoryBody('BONDS', '5')),
      409,
      'CATEGORY_CODE_TAKEN',
    );
    await category(await portfolio(), categoryBody('BONDS', '30'));
    const other = await category(pf, categoryBody('GOLD', '5'));
    const path = `/v1/portfolios/${pf}/categories/${String(other.body.categoryId)}`;
    const r = await call('PUT', path, categoryBody('BONDS', '5'), { headers: { 'If-Match': '"1"' } });
    expectStatus(r, 409, 'CATEGORY_CODE_TAKEN');
    // renaming the code frees the old one
    expectStatus(await call('PUT', path, categoryBody('METALS', '5'), { headers: { 'If-Match': '"1"' } }), 200);
    await category(pf, categoryBody('GOLD', '5'));
  });

  it('refuses bounds out of order naming the field, and percentages outside 0..100', async () => {
    const pf = await portfolio();
    const url = `/v1/portfolios/${pf}/categories`;
    const low = await call('POST', url, categoryBody('A', '40', { minPct: '45' }));
    expectStatus(low, 400, 'VALIDATION_FAILED');
    expect(low.body.errors?.map((e) => e.path)).toEqual(['body.minPct']);
    const high = await call('POST', url, categoryBody('A', '40', { maxPct: '35' }));
    expect(high.body.errors?.map((e) => e.path)).toEqual(['body.maxPct']);
    for (const bad of [
      { targetPct: '100.5' },
      { targetPct: '-1' },
      { targetPct: 40 },
      { code: 'lower' },
      { type: 'x' },
    ]) {
      expectStatus(await call('POST', url, { ...categoryBody('A', '40'), ...bad }), 400, 'VALIDATION_FAILED');
    }
    expectStatus(await call('POST', url, categoryBody('A', '40', { minPct: '40', maxPct: '40' })), 201);
  });

  it('404s: an unknown portfolio, an unknown category, a deleted portfolio', async () => {
    const pf = await portfolio();
    expectStatus(await get('/v1/portfolios/pf_AAAAAAAAAAAAAAAAAAAA/categories'), 404, 'PORTFOLIO_NOT_FOUND');
    expectStatus(await get(`/v1/portfolios/${pf}/categories/ct_01ARZ3NDEKTSV4RRFFQ69G5FAV`), 404, 'CATEGORY_NOT_FOUND');
    expectStatus(await call('DELETE', `/v1/portfolios/${pf}`, undefined, { headers: { 'If-Match': '"1"' } }), 204);
    expectStatus(
      await call('POST', `/v1/portfolios/${pf}/categories`, categoryBody('A', '1')),
      404,
      'PORTFOLIO_NOT_FOUND',
    );
    expectStatus(await get(`/v1/portfolios/${pf}/allocation`), 404, 'PORTFOLIO_NOT_FOUND');
  });
});

describe('assignments and exclusions', () => {
  it('assign, reassign, list, remove; an unknown category is 422; removing nothing is 404', async () => {
    const pf = await portfolio();
    const eq = String((await category(pf, categoryBody('EQ', '60'))).body.categoryId);
    const bd = String((await category(pf, categoryBody('BD', '40', { type: 'bond' }))).body.categoryId);
    const url = `/v1/portfolios/${pf}/assignments`;
    const put = await call('PUT', `${url}/AAPL`, { categoryId: eq, weight: '2' });
    expectStatus(put, 200);
    expect(put.body).toMatchObject({ symbol: 'AAPL', categoryId: eq, weight: '2' });
    expectStatus(await call('PUT', `${url}/BND`, { categoryId: bd }), 200);
    expectStatus(await call('PUT', `${url}/AAPL`, { categoryId: bd }), 200);
    const list = await get(url);
    expect(list.body.items?.map((a) => [a.symbol, a.categoryId, a.weight])).toEqual([
      ['AAPL', bd, undefined],
      ['BND', bd, undefined],
    ]);
    const unknown = await call('PUT', `${url}/MSFT`, { categoryId: 'ct_01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    expectStatus(unknown, 422, 'CATEGORY_NOT_FOUND');
    expectStatus(await call('PUT', `${url}/MSFT`, { categoryId: eq, weight: '0' }), 400, 'VALIDATION_FAILED');
    expectStatus(await call('PUT', `${url}/aapl`, { categoryId: eq }), 400, 'VALIDATION_FAILED');
    expectStatus(await call('DELETE', `${url}/BND`), 204);
    expectStatus(await call('DELETE', `${url}/BND`), 404, 'ASSIGNMENT_NOT_FOUND');
    expect((await get(url)).body.items?.map((a) => a.symbol)).toEqual(['AAPL']);
  });

  it('exclude with a reason, replace it, lift it', async () => {
    const pf = await portfolio();
    const url = `/v1/portfolios/${pf}/exclusions`;
    expectStatus(await call('PUT', `${url}/MSFT`, { reason: 'no' }), 400, 'VALIDATION_FAILED');
    expectStatus(await call('PUT', `${url}/MSFT`, { reason: 'employer stock' }), 200);
    const put = await call('PUT', `${url}/MSFT`, { reason: 'employer stock, blackout' });
    expect(put.body).toMatchObject({ symbol: 'MSFT', reason: 'employer stock, blackout' });
    expect((await get(url)).body.items?.map((e) => [e.symbol, e.reason])).toEqual([
      ['MSFT', 'employer stock, blackout'],
    ]);
    expectStatus(await call('DELETE', `${url}/MSFT`), 204);
    expectStatus(await call('DELETE', `${url}/MSFT`), 404, 'EXCLUSION_NOT_FOUND');
    expect((await get(url)).body.items).toEqual([]);
  });
});

describe('the allocation view', () => {
  const d = (s: unknown) => new Decimal(String(s));
  const pct = (x: Decimal) => x.toDecimalPlaces(4).toFixed();

  it('matches the hand-computed split of a scripted portfolio, priced at the seeded closes', async () => {
    const pf = await portfolio({ name: 'Scripted', allowNegativeCash: true });
    const bought = { AAPL: '10', MSFT: '5', VTI: '8', BND: '20' };
    for (const [symbol, quantity] of Object.entries(bought)) {
      expectStatus(await record(pf, { type: 'BUY', symbol, quantity, price: '1', tradeDate: '2026-01-05' }), 201);
    }
    // the prices the view will use: the holdings list values the book the same way
    const holdings = await get(`/v1/portfolios/${pf}/holdings`);
    expectStatus(holdings, 200);
    const value = new Map((holdings.body.items ?? []).map((h) => [String(h.symbol), d(h.marketValueBase)]));
    expect([...value.keys()].sort()).toEqual(['AAPL', 'BND', 'MSFT', 'VTI']);
    for (const [symbol, quantity] of Object.entries(bought)) {
      const h = holdings.body.items?.find((x) => x.symbol === symbol);
      expect(value.get(symbol)?.eq(d(h?.price).times(quantity).toDecimalPlaces(2))).toBe(true);
    }
    const invested = [...value.values()].reduce((s, v) => s.plus(v), new Decimal(0));
    // bring the whole value to exactly 10,000.00: every share is then value / 100, exact to 4 places
    const total = new Decimal(10_000);
    expect(invested.lt(total)).toBe(true);
    const cash = total.minus(invested);
    const spent = new Decimal(43); // 43 shares at 1
    const deposit = cash.plus(spent).toFixed(2);
    expectStatus(await record(pf, { type: 'DEPOSIT', amount: deposit, tradeDate: '2026-01-06' }), 201);

    const eq = await category(pf, categoryBody('EQ', '60', { minPct: '55', maxPct: '65' }));
    const bd = await category(pf, categoryBody('BD', '30', { type: 'bond', rebalanceThresholdPct: '2.5' }));
    const eqId = String(eq.body.categoryId);
    const bdId = String(bd.body.categoryId);
    const assign = (symbol: string, body: Record<string, unknown>) =>
      call('PUT', `/v1/portfolios/${pf}/assignments/${symbol}`, body);
    expectStatus(await assign('AAPL', { categoryId: eqId, weight: '2' }), 200);
    expectStatus(await assign('MSFT', { categoryId: eqId, weight: '1' }), 200);
    expectStatus(await assign('BND', { categoryId: bdId }), 200);
    expectStatus(await call('PUT', `/v1/portfolios/${pf}/exclusions/MSFT`, { reason: 'employer stock' }), 200);

    const view = await get(`/v1/portfolios/${pf}/allocation`);
    expectStatus(view, 200);
    const v = allocationOf(view);
    const share = (x: Decimal) => x.div(total).times(100);
    const [aapl, msft, vti, bnd] = ['AAPL', 'MSFT', 'VTI', 'BND'].map((s) => value.get(s) ?? new Decimal(NaN));
    const eqValue = aapl.plus(msft);
    const eqActual = share(eqValue);
    const bdActual = share(bnd);
    const cashActual = share(cash);
    const vtiActual = share(vti);

    expect(v.totalValue).toBe('10000.00');
    expect(v.baseCurrency).toBe('USD');
    expect(v.unpriced).toEqual([]);
    expect(v.targets).toEqual({
      sumPct: '90',
      valid: false,
      message: "Category targets sum to 90%, not 100%: the remaining 10% is cash's target",
    });
    expect(v.cashLine).toEqual({
      value: cash.toFixed(2),
      targetPct: '10',
      actualPct: pct(cashActual),
      driftPct: pct(cashActual.minus(10)),
    });
    expect(v.unassigned.value).toBe(vti.toFixed(2));
    expect(v.unassigned.actualPct).toBe(pct(vtiActual));
    expect(v.unassigned.holdings.map((h: { symbol: string }) => h.symbol)).toEqual(['VTI']);

    const [eqLine, bdLine] = v.categories;
    const eqDrift = eqActual.minus(60);
    expect(eqLine).toMatchObject({
      categoryId: eqId,
      code: 'EQ',
      value: eqValue.toFixed(2),
      targetPct: '60',
      actualPct: pct(eqActual),
      driftPct: pct(eqDrift),
      relativeDrift: pct(eqDrift.div(60)),
      minPct: '55',
      maxPct: '65',
      belowMin: eqActual.lt(55),
      aboveMax: eqActual.gt(65),
      needsRebalance: eqDrift.abs().gte(3),
    });
    expect(eqLine.holdings).toEqual([
      {
        symbol: 'AAPL',
        value: aapl.toFixed(2),
        weightPct: pct(share(aapl)),
        weightInCategoryPct: pct(aapl.div(eqValue).times(100)),
        targetPct: '40', // 60 × 2 / 3
        excluded: false,
      },
      {
        symbol: 'MSFT',
        value: msft.toFixed(2),
        weightPct: pct(share(msft)),
        weightInCategoryPct: pct(msft.div(eqValue).times(100)),
        targetPct: '20',
        excluded: true,
      },
    ]);
    const bdDrift = bdActual.minus(30);
    expect(bdLine).toMatchObject({
      code: 'BD',
      actualPct: pct(bdActual),
      driftPct: pct(bdDrift),
      minPct: null,
      maxPct: null,
      rebalanceThresholdPct: '2.5',
      needsRebalance: bdDrift.abs().gte(2.5),
    });
    expect(bdLine.holdings[0]).toMatchObject({ symbol: 'BND', targetPct: null, weightInCategoryPct: '100' });

    const totalDrift = [eqDrift, bdDrift, cashActual.minus(10), vtiActual]
      .reduce((s, x) => s.plus(x.abs()), new Decimal(0))
      .div(2);
    expect(v.totalDriftPct).toBe(pct(totalDrift));
    const lines = [eqLine.actualPct, bdLine.actualPct, v.cashLine.actualPct, v.unassigned.actualPct];
    expect(lines.reduce((s: Decimal, x: string) => s.plus(x), new Decimal(0)).toFixed()).toBe('100');
    expect(v.excluded).toEqual([{ symbol: 'MSFT', reason: 'employer stock' }]);

    const expectedBreaches: Array<Record<string, string>> = [];
    if (eqActual.lt(55)) expectedBreaches.push({ code: 'EQ', kind: 'below_min', limitPct: '55' });
    if (eqActual.gt(65)) expectedBreaches.push({ code: 'EQ', kind: 'above_max', limitPct: '65' });
    if (eqDrift.abs().gte(3)) expectedBreaches.push({ code: 'EQ', kind: 'drift', limitPct: '3' });
    if (bdDrift.abs().gte(2.5)) expectedBreaches.push({ code: 'BD', kind: 'drift', limitPct: '2.5' });
    expect(
      v.breaches.map((b: Record<string, string>) => ({ code: b.code, kind: b.kind, limitPct: b.limitPct })),
    ).toEqual(expectedBreaches);
    // the script is chosen so there is something to see: the equities are far from 60%
    expect(expectedBreaches.length).toBeGreaterThan(0);

    // deleting a category leaves its assignments: their holdings show as unassigned
    const etag = String((await get(`/v1/portfolios/${pf}/categories/${bdId}`)).headers.get('etag'));
    expectStatus(
      await call('DELETE', `/v1/portfolios/${pf}/categories/${bdId}`, undefined, { headers: { 'If-Match': etag } }),
      204,
    );
    const after = allocationOf(await get(`/v1/portfolios/${pf}/allocation`));
    expect(after.categories.map((c: { code: string }) => c.code)).toEqual(['EQ']);
    expect(after.unassigned.holdings.map((h: { symbol: string }) => h.symbol)).toEqual(['BND', 'VTI']);
    expect(after.unassigned.actualPct).toBe(pct(share(bnd.plus(vti))));
    expect(after.cashLine.targetPct).toBe('40');
    expect((await get(`/v1/portfolios/${pf}/assignments`)).body.items?.map((a) => a.symbol)).toEqual([
      'AAPL',
      'BND',
      'MSFT',
    ]);
  });

  it('only cash, targets summing to 100: all of it is cash, valid targets, cash target 0', async () => {
    const pf = await portfolio({ name: 'Cash only', cash: '2500.00' });
    await category(pf, categoryBody('EQ', '70'));
    await category(pf, categoryBody('BD', '30', { type: 'bond' }));
    const v = allocationOf(await get(`/v1/portfolios/${pf}/allocation`));
    expect(v.totalValue).toBe('2500.00');
    expect(v.targets).toEqual({ sumPct: '100', valid: true });
    expect(v.cashLine).toEqual({ value: '2500.00', targetPct: '0', actualPct: '100', driftPct: '100' });
    expect(v.categories.map((c: { actualPct: string; driftPct: string }) => [c.actualPct, c.driftPct])).toEqual([
      ['0', '-70'],
      ['0', '-30'],
    ]);
    expect(v.totalDriftPct).toBe('100');
  });
});

describe('who may read and write', () => {
  it("another tenant's user gets 404 on every id route of a t_demo portfolio", async () => {
    const pf = await portfolio();
    const c = await category(pf, categoryBody('EQ', '60'));
    const cat = `/v1/portfolios/${pf}/categories/${String(c.body.categoryId)}`;
    const acme = await t.token('u_acme', 't_acme', '1h');
    const o = { token: acme, headers: { 'X-Project-Id': 'p_acme', 'If-Match': '"1"' } };
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/v1/portfolios/${pf}/categories`],
      ['POST', `/v1/portfolios/${pf}/categories`, categoryBody('X', '1')],
      ['GET', cat],
      ['PUT', cat, categoryBody('EQ', '1')],
      ['DELETE', cat],
      ['GET', `/v1/portfolios/${pf}/assignments`],
      ['PUT', `/v1/portfolios/${pf}/assignments/AAPL`, { categoryId: String(c.body.categoryId) }],
      ['DELETE', `/v1/portfolios/${pf}/assignments/AAPL`],
      ['GET', `/v1/portfolios/${pf}/exclusions`],
      ['PUT', `/v1/portfolios/${pf}/exclusions/AAPL`, { reason: 'not mine' }],
      ['DELETE', `/v1/portfolios/${pf}/exclusions/AAPL`],
      ['GET', `/v1/portfolios/${pf}/allocation`],
    ];
    for (const [method, path, body] of calls) {
      const r = await t.call(method, path, { ...o, body });
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(404);
      expect(r.body.code).toBe('PORTFOLIO_NOT_FOUND');
    }
    // and nothing changed
    expectStatus(await get(cat), 200);
  });

  it('an observer reads but does not write (403)', async () => {
    const pf = await portfolio();
    const c = await category(pf, categoryBody('EQ', '60'));
    const cat = `/v1/portfolios/${pf}/categories/${String(c.body.categoryId)}`;
    for (const path of [
      cat,
      `/v1/portfolios/${pf}/categories`,
      `/v1/portfolios/${pf}/assignments`,
      `/v1/portfolios/${pf}/exclusions`,
      `/v1/portfolios/${pf}/allocation`,
    ]) {
      expectStatus(await get(path, obs), 200);
    }
    const o = { token: obs, headers: { 'If-Match': '"1"' } };
    const writes: Array<[string, string, unknown?]> = [
      ['POST', `/v1/portfolios/${pf}/categories`, categoryBody('X', '1')],
      ['PUT', cat, categoryBody('EQ', '1')],
      ['DELETE', cat],
      ['PUT', `/v1/portfolios/${pf}/assignments/AAPL`, { categoryId: String(c.body.categoryId) }],
      ['DELETE', `/v1/portfolios/${pf}/assignments/AAPL`],
      ['PUT', `/v1/portfolios/${pf}/exclusions/AAPL`, { reason: 'observer try' }],
      ['DELETE', `/v1/portfolios/${pf}/exclusions/AAPL`],
    ];
    for (const [method, path, body] of writes) {
      const r = await call(method, path, body, o);
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(403);
    }
    expectStatus(await get(cat), 200);
  });
});
