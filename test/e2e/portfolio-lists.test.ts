import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTFOLIO_ID, portfolioIdTime } from '../../packages/app/src/portfolio/ids.js';
import { DynamoPortfolioStore } from '../../packages/app/src/portfolio/store.dynamo.js';
import { RATE_LIMITS_CONFIG } from '../../packages/platform/src/http/middlewares/limits/index.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

// Portfolios through the route: time-sortable ids, lists newest first with pages short only at the
// end, ids of the older shape still readable, and currency changes that would rescale or
// reinterpret money refused (422 CURRENCY_CHANGE_REFUSED).

let t: TestRuntime;
let nav: string;
const P = { 'X-Project-Id': 'p_demo' };

beforeAll(async () => {
  t = await startRuntime();
  // These tests walk lists page by page: the per-tier limits (configuration data) are lifted.
  const unlimited = { observer: 1e6, navigator: 1e6, operator: 1e6, sovereign: 1e6, default: 1e6 };
  await t.rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, unlimited);
  nav = await t.token('u_navigator', 't_demo');
});
afterAll(async () => {
  await t.stop();
});

type Item = Record<string, unknown>;

async function create(name: string, body: Item = {}): Promise<Item> {
  const r = await t.call('POST', '/v1/portfolios', { token: nav, headers: P, body: { name, ...body } });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

async function walk(limit: number): Promise<Item[][]> {
  const pages: Item[][] = [];
  let cursor: string | null = null;
  do {
    const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await t.call('GET', `/v1/portfolios?${query}`, { token: nav, headers: P });
    expect(r.status, r.text).toBe(200);
    pages.push(r.body.items ?? []);
    cursor = (r.body.nextCursor as string | null) ?? null;
  } while (cursor && pages.length < 100);
  return pages;
}

const idsOf = (items: Item[]) => items.map((p) => String(p.portfolioId));

describe('portfolio ids and lists', () => {
  it('ids are time-sortable (ULID-shaped, carrying their creation time) and lists are newest first', async () => {
    const made: Item[] = [];
    for (let i = 0; i < 6; i++) made.push(await create(`Sorted ${i}`));
    for (const p of made) {
      expect(String(p.portfolioId)).toMatch(PORTFOLIO_ID);
      expect(portfolioIdTime(String(p.portfolioId))).toBe(Date.parse(String(p.createdAt)));
    }
    const madeIds = idsOf(made);
    expect([...madeIds].sort(), 'ids sort in the order they were made').toEqual(madeIds);

    const listed = (await walk(200)).flat();
    const ids = idsOf(listed);
    expect(
      ids.filter((id) => madeIds.includes(id)),
      'newest first',
    ).toEqual([...madeIds].reverse());
    expect([...ids].sort().reverse(), 'the whole list is in descending id order').toEqual(ids);
    const times = listed.map((p) => Date.parse(String(p.createdAt)));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  }, 90_000);

  it('pages are full until the last, with deleted portfolios among them and a long run of them', async () => {
    const made: Item[] = [];
    for (let i = 0; i < 10; i++) made.push(await create(`Paged ${i}`));
    // every third one deleted, then a run of twelve deleted ones newer than everything else
    for (const p of made.filter((_, i) => i % 3 === 1)) {
      const d = await t.call('DELETE', `/v1/portfolios/${String(p.portfolioId)}`, {
        token: nav,
        headers: { ...P, 'If-Match': '"1"' },
      });
      expect(d.status).toBe(204);
    }
    for (let i = 0; i < 12; i++) {
      const p = await create(`Gone ${i}`);
      const d = await t.call('DELETE', `/v1/portfolios/${String(p.portfolioId)}`, {
        token: nav,
        headers: { ...P, 'If-Match': '"1"' },
      });
      expect(d.status).toBe(204);
    }
    const everything = idsOf((await walk(200)).flat());
    expect(everything.some((id) => idsOf(made.filter((_, i) => i % 3 === 1)).includes(id))).toBe(false);
    for (const limit of [1, 2, 3, 4, 7]) {
      const pages = await walk(limit);
      expect(idsOf(pages.flat()), `limit ${limit}: nothing lost, nothing twice, same order`).toEqual(everything);
      for (const [i, page] of pages.slice(0, -1).entries())
        expect(page.length, `limit ${limit}: page ${i + 1} is not the last, so it is full`).toBe(limit);
      expect(pages.at(-1)?.length ?? 0).toBeLessThanOrEqual(limit);
    }
  }, 90_000);

  it('a portfolio with an id of the older shape (pf_ + 20 random characters) is read, listed, updated', async () => {
    const legacyId = 'pf_aZ3kQ9mB7xW2pL5nR8tY';
    const at = new Date(t.rt.platform.now()).toISOString();
    const store = new DynamoPortfolioStore(t.rt.platform.db, t.rt.tables.pooled, {
      tenantId: 't_demo',
      projectId: 'p_demo',
    });
    const uow = t.rt.platform.unitOfWork(
      { kind: 'system', tenantId: 't_system', requestId: 'legacy-seed' },
      Date.now(),
    );
    store.create(uow, {
      portfolioId: legacyId,
      tenantId: 't_demo',
      projectId: 'p_demo',
      name: 'From before',
      baseCurrency: 'EUR',
      cash: '1.00',
      createdAt: at,
      updatedAt: at,
      version: 1,
    });
    await uow.commit();
    const g = await t.call('GET', `/v1/portfolios/${legacyId}`, { token: nav, headers: P });
    expect(g.status, g.text).toBe(200);
    expect(g.body.name).toBe('From before');
    expect(idsOf((await walk(200)).flat())).toContain(legacyId);
    const u = await t.call('PATCH', `/v1/portfolios/${legacyId}`, {
      token: nav,
      headers: { ...P, 'If-Match': '"1"' },
      body: { name: 'Still here' },
    });
    expect(u.status, u.text).toBe(200);
  });
});

describe('changing a portfolio’s base currency', () => {
  const patch = (id: unknown, version: number, body: Item) =>
    t.call('PATCH', `/v1/portfolios/${String(id)}`, {
      token: nav,
      headers: { ...P, 'If-Match': `"${version}"` },
      body,
    });

  it('is refused (422 CURRENCY_CHANGE_REFUSED) when it would rescale money, cash sent or not', async () => {
    const p = await create('Euro book', { baseCurrency: 'EUR', cash: '10.00' });
    for (const body of [
      { baseCurrency: 'JPY' },
      { baseCurrency: 'JPY', cash: '10' },
      { baseCurrency: 'JPY', cash: '0' },
    ]) {
      const r = await patch(p.portfolioId, 1, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body).toMatchObject({ code: 'CURRENCY_CHANGE_REFUSED', from: 'EUR', to: 'JPY' });
    }
    const g = await t.call('GET', `/v1/portfolios/${String(p.portfolioId)}`, { token: nav, headers: P });
    expect(g.body).toMatchObject({ baseCurrency: 'EUR', cash: '10.00', version: 1 });
    // even with no cash: EUR amounts have cents, JPY amounts have none
    const empty = await create('Empty euro book', { baseCurrency: 'EUR' });
    const toYen = await patch(empty.portfolioId, 1, { baseCurrency: 'JPY' });
    expect(toYen.status).toBe(422);
    expect(toYen.body.code).toBe('CURRENCY_CHANGE_REFUSED');
  });

  it('is refused when the portfolio holds cash, even between currencies of the same minor unit', async () => {
    const p = await create('Euro cash', { baseCurrency: 'EUR', cash: '10.00' });
    for (const body of [
      { baseCurrency: 'USD' },
      { baseCurrency: 'USD', cash: '10.00' },
      { baseCurrency: 'USD', cash: '0' },
    ]) {
      const r = await patch(p.portfolioId, 1, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.code).toBe('CURRENCY_CHANGE_REFUSED');
    }
  });

  it('is allowed with no cash between currencies of the same minor unit (cash may be set with it)', async () => {
    const p = await create('Empty euro', { baseCurrency: 'EUR' });
    const toUsd = await patch(p.portfolioId, 1, { baseCurrency: 'USD', cash: '25.50' });
    expect(toUsd.status, toUsd.text).toBe(200);
    expect(toUsd.body).toMatchObject({ baseCurrency: 'USD', cash: '25.50', version: 2 });
    // the way to change a funded portfolio: empty it first, then change the currency
    const emptied = await patch(p.portfolioId, 2, { cash: '0' });
    expect(emptied.status).toBe(200);
    const toEur = await patch(p.portfolioId, 3, { baseCurrency: 'EUR' });
    expect(toEur.status, toEur.text).toBe(200);
    expect(toEur.body).toMatchObject({ baseCurrency: 'EUR', cash: '0.00' });
    // naming the currency it already has is no change
    const same = await patch(p.portfolioId, 4, { baseCurrency: 'EUR', cash: '3.00' });
    expect(same.status).toBe(200);
  });
});
