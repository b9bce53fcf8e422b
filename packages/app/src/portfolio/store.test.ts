import { createPlatform, type Platform } from '@ballast/platform/platform.js';

import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../../platform/test/support/harness.js';
import type { Portfolio, PortfolioStore, ProjectScope } from './store.js';
import { DynamoPortfolioStore } from './store.dynamo.js';

const AT = new Date(T0).toISOString();
let db: DynamoDBDocumentClient;
let pooled: string;
let platform: Platform;

beforeAll(async () => {
  const made = await createTestTable('portfolio');
  db = made.db;
  pooled = made.table;
  platform = createPlatform(testConfig(pooled), { db, logger: silentLogger(), now: () => T0 });
});

const storeOf = (scope: ProjectScope): PortfolioStore => new DynamoPortfolioStore(db, pooled, scope);
const { uow, commit, refusal } = unitsOfWork(() => platform);

const portfolio = (scope: ProjectScope, portfolioId: string, o: Partial<Portfolio> = {}): Portfolio => ({
  portfolioId,
  tenantId: scope.tenantId,
  projectId: scope.projectId,
  name: `Portfolio ${portfolioId}`,
  baseCurrency: 'EUR',
  cash: '1000.00',
  createdAt: AT,
  updatedAt: AT,
  version: 1,
  ...o,
});
const ids = (page: { items: Portfolio[] }) => page.items.map((p) => p.portfolioId);

async function walk(store: PortfolioStore, limit: number) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await store.list({ limit, cursor });
    pages.push(ids(page));
    if (!page.nextCursor) return pages;
    cursor = page.nextCursor;
  }
  throw new Error('the walk did not end');
}

describe('portfolio store (DynamoDB): round trips and conditions', () => {
  const scope = { tenantId: 't_round', projectId: 'p_main' };
  const store = () => storeOf(scope);

  it('create → get → list', async () => {
    const created = portfolio(scope, 'pf_a', { description: 'long term', cash: '2500.10' });
    await commit((u) => store().create(u, created));
    expect(await store().get('pf_a')).toEqual(created);
    expect(ids(await store().list({ limit: 50 }))).toEqual(['pf_a']);
    expect(await store().get('pf_missing')).toBeUndefined();
  });

  it('create is create-only: an existing id → 409 WRITE_CONFLICT, the first one kept', async () => {
    await commit((u) => store().create(u, portfolio(scope, 'pf_once')));
    const e = await refusal((u) => store().create(u, portfolio(scope, 'pf_once', { name: 'second' })));
    expect(e).toMatchObject({ status: 409, code: 'WRITE_CONFLICT' });
    expect((await store().get('pf_once'))?.name).toBe('Portfolio pf_once');
  });

  it('update at the current version; a stale version is refused by the database (412)', async () => {
    await commit((u) => store().create(u, portfolio(scope, 'pf_v')));
    await commit((u) => store().update(u, portfolio(scope, 'pf_v', { name: 'v2', version: 2 }), 1));
    // a writer holding version 1: only the store's condition can stop it
    const e = await refusal((u) => store().update(u, portfolio(scope, 'pf_v', { name: 'lost', version: 2 }), 1));
    expect(e).toMatchObject({ status: 412, code: 'VERSION_MISMATCH' });
    expect(await store().get('pf_v')).toMatchObject({ name: 'v2', version: 2 });
  });

  it('a soft-deleted portfolio is absent from lists, still readable, and can no longer be updated', async () => {
    await commit((u) => store().create(u, portfolio(scope, 'pf_gone')));
    await commit((u) => store().update(u, portfolio(scope, 'pf_gone', { version: 2, deletedAt: AT }), 1));
    expect(ids(await store().list({ limit: 50 }))).not.toContain('pf_gone');
    expect((await store().get('pf_gone'))?.deletedAt).toBe(AT);
    const e = await refusal((u) => store().update(u, portfolio(scope, 'pf_gone', { version: 3 }), 2));
    expect(e.status).toBe(412);
  });

  it('purge removes a soft-deleted portfolio at its version; a live one or a stale version → 409', async () => {
    await commit((u) => {
      store().create(u, portfolio(scope, 'pf_live'));
      store().create(u, portfolio(scope, 'pf_purge', { version: 4, deletedAt: AT }));
    });
    expect((await refusal((u) => store().purge(u, 'pf_live', 1))).code).toBe('PURGE_SKIPPED');
    expect((await refusal((u) => store().purge(u, 'pf_purge', 3))).code).toBe('PURGE_SKIPPED');
    expect((await refusal((u) => store().purge(u, 'pf_never', 1))).code).toBe('PURGE_SKIPPED');
    await commit((u) => store().purge(u, 'pf_purge', 4));
    expect(await store().get('pf_purge')).toBeUndefined();
    expect(await store().get('pf_live')).toBeDefined();
    // two purges staged before either commits: the second notices
    await commit((u) => store().create(u, portfolio(scope, 'pf_twice', { deletedAt: AT })));
    const first = uow();
    const second = uow();
    store().purge(first, 'pf_twice', 1);
    store().purge(second, 'pf_twice', 1);
    await first.commit();
    await expect(second.commit()).rejects.toMatchObject({ status: 409, code: 'PURGE_SKIPPED' });
  });

  it('unit of work: one failing write means none landed', async () => {
    await commit((u) => store().create(u, portfolio(scope, 'pf_taken')));
    const e = await refusal((u) => {
      store().create(u, portfolio(scope, 'pf_new_1'));
      store().create(u, portfolio(scope, 'pf_new_2'));
      u.audit({ action: 'portfolio.create', resource: 'portfolio/pf_new_1', tenantId: 't_round' });
      store().create(u, portfolio(scope, 'pf_taken'));
    });
    expect(e.status).toBe(409);
    expect(await store().get('pf_new_1')).toBeUndefined();
    expect(await store().get('pf_new_2')).toBeUndefined();
    expect((await platform.audit.list('t_round', { limit: 5, since: AT, until: AT })).items).toEqual([]);
  });
});

describe('isolation', () => {
  const alphaMain = { tenantId: 't_alpha', projectId: 'p_main' };
  const alphaSide = { tenantId: 't_alpha', projectId: 'p_side' };
  const betaMain = { tenantId: 't_beta', projectId: 'p_main' }; // same project id, another tenant

  beforeAll(async () => {
    await commit((u) => {
      storeOf(alphaMain).create(u, portfolio(alphaMain, 'pf_shared_id', { name: 'alpha main' }));
      storeOf(alphaMain).create(u, portfolio(alphaMain, 'pf_alpha_only'));
      storeOf(alphaSide).create(u, portfolio(alphaSide, 'pf_side_only'));
      storeOf(betaMain).create(u, portfolio(betaMain, 'pf_shared_id', { name: 'beta main' }));
    });
  });

  it('a portfolio of one project is absent from another project’s list and get', async () => {
    // newest first: ids are time-sortable, so the list reads the sort key backwards
    expect(ids(await storeOf(alphaMain).list({ limit: 50 }))).toEqual(['pf_shared_id', 'pf_alpha_only']);
    expect(ids(await storeOf(alphaSide).list({ limit: 50 }))).toEqual(['pf_side_only']);
    expect(await storeOf(alphaSide).get('pf_alpha_only')).toBeUndefined();
    expect(await storeOf(alphaMain).get('pf_side_only')).toBeUndefined();
  });

  it('two pooled tenants sharing one table see only their own, even under the same ids', async () => {
    expect(ids(await storeOf(betaMain).list({ limit: 50 }))).toEqual(['pf_shared_id']);
    expect((await storeOf(betaMain).get('pf_shared_id'))?.name).toBe('beta main');
    expect((await storeOf(alphaMain).get('pf_shared_id'))?.name).toBe('alpha main');
    expect(await storeOf(betaMain).get('pf_alpha_only')).toBeUndefined();
  });

  it('writes through one scope never touch another’s same-id portfolio', async () => {
    await commit((u) =>
      storeOf(betaMain).update(u, portfolio(betaMain, 'pf_shared_id', { name: 'beta v2', version: 2 }), 1),
    );
    expect((await storeOf(alphaMain).get('pf_shared_id'))?.version).toBe(1);
  });

  it('a cursor of another project or tenant → 400 INVALID_CURSOR', async () => {
    const page = await storeOf(alphaMain).list({ limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    for (const other of [alphaSide, betaMain]) {
      await expect(storeOf(other).list({ limit: 1, cursor: page.nextCursor ?? '' })).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
  });
});

describe('pagination', () => {
  it('pages are full until the last, soft-deleted portfolios interleaved', async () => {
    const scope = { tenantId: 't_pages', projectId: 'p_main' };
    await commit((u) => {
      for (let n = 0; n < 12; n++) {
        const id = `pf_${String(n).padStart(2, '0')}`;
        storeOf(scope).create(u, portfolio(scope, id, n % 3 === 1 ? { deletedAt: AT } : {}));
      }
    });
    const live = Array.from({ length: 12 }, (_, n) => n)
      .filter((n) => n % 3 !== 1)
      .map((n) => `pf_${String(n).padStart(2, '0')}`)
      .reverse(); // newest (highest id) first
    for (const limit of [1, 3, 5, 8, 50]) {
      const pages = await walk(storeOf(scope), limit);
      expect(pages.flat(), `limit ${limit}`).toEqual(live);
      for (const page of pages.slice(0, -1)) expect(page.length, `limit ${limit}`).toBe(limit);
    }
  });

  // DESIGN "HTTP conventions": a page is short only when it is the last (queryPage says the same).
  // A run of many soft-deleted portfolios must not yield a short (even empty) page that is not the last.
  it('a long run of soft-deleted portfolios does not make a page short', async () => {
    const scope = { tenantId: 't_sparse', projectId: 'p_main' };
    const units: UnitOfWork[] = [];
    for (let batch = 0; batch < 2; batch++) {
      const u = uow();
      for (let n = 0; n < 25; n++) {
        const id = `pf_a${String(batch * 25 + n).padStart(3, '0')}`;
        storeOf(scope).create(u, portfolio(scope, id, { deletedAt: AT }));
      }
      units.push(u);
    }
    await Promise.all(units.map((u) => u.commit()));
    // the live ones sort below the deleted run, so a newest-first read meets the whole run first
    await commit((u) => ['pf_01', 'pf_02', 'pf_03'].forEach((id) => storeOf(scope).create(u, portfolio(scope, id))));
    // nothing is lost across pages …
    expect((await walk(storeOf(scope), 2)).flat()).toEqual(['pf_03', 'pf_02', 'pf_01']);
    // … but the first page must be full, since it is not the last
    const first = await storeOf(scope).list({ limit: 2 });
    expect(ids(first)).toEqual(['pf_03', 'pf_02']);
  });
});
