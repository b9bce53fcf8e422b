import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ROUTES } from '../../packages/app/src/routes.js';
import { DynamoTradingStore } from '../../packages/app/src/trading/index.js';
import { newJournalId } from '../../packages/app/src/trading/ids.js';
import { resolveSchema } from '../../packages/platform/src/schemas/lazy.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Issue 8, the request pipeline end to end over HTTP: signed cursors on every list route, context
 * headers checked before any lookup, step-up on dangerous routes, no secret in an idempotency
 * record, and error messages without internals.
 */

let t: TestRuntime;
/**
 * Each list test below moves the runtime's own clock a minute on (the one `/_local/tick` moves too),
 * so the one admin paging through thirty lists stays within its rate limit (a 429 would hide what
 * the cursors do).
 */
const nextMinute = () => t.rt.clock.set(t.rt.clock.now() + 61_000);
const P = { 'X-Project-Id': 'p_demo' };
const nowSeconds = () => Math.floor(t.rt.platform.now() / 1000);
const admin = () => t.token('u_admin', 't_demo');
const sys = () => t.token('u_system', 't_system');

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

beforeAll(async () => {
  t = await startRuntime();
  const token = await admin();
  // two of everything the lists below page through
  for (const projectId of ['p_second', 'p_third']) {
    expectStatus(
      await t.call('POST', '/v1/tenants/t_demo/projects', { token, body: { projectId, name: projectId } }),
      201,
    );
  }
  for (const name of ['first key', 'second key']) {
    const body = { name, tier: 'observer', roles: ['viewer'] };
    expectStatus(await t.call('POST', '/v1/api-keys', { token, headers: P, body }), 201);
  }
  for (const symbol of ['AAPL', 'MSFT']) {
    const body = { symbol, type: 'long', entryPrice: '100', entryDate: '2026-01-05', quantity: '1' };
    const headers = { ...P, 'Idempotency-Key': `hardening-trade-log-${symbol}` };
    expectStatus(await t.call('POST', '/v1/journal/trade-logs', { token, headers, body }), 201);
  }
  for (const name of ['Growth', 'Income']) {
    const created = await t.call('POST', '/v1/portfolios', { token, headers: P, body: { name } });
    expectStatus(created, 201);
    fixture.portfolioId = String(created.body.portfolioId);
  }
  const ledger = `/v1/portfolios/${fixture.portfolioId}`;
  for (const [i, amount] of ['10', '20'].entries()) {
    const headers = { ...P, 'Idempotency-Key': `hardening-deposit-${i}` };
    const body = { type: 'DEPOSIT', amount, tradeDate: `2026-01-0${i + 2}` };
    expectStatus(await t.call('POST', `${ledger}/transactions`, { token, headers, body }), 201);
    const csv = `type,tradeDate,amount\nINTEREST,2026-02-0${i + 2},1\n`;
    const csvHeaders = { ...P, 'Idempotency-Key': `hardening-import-${i}`, 'Content-Type': 'text/csv' };
    expectStatus(await t.call('POST', `${ledger}/imports`, { token, headers: csvHeaders, rawBody: csv }), 201);
  }
  const events = [
    { time: '2026-03-06T13:30:00Z', country: 'US', title: 'Nonfarm Payrolls', importance: 'high' },
    { time: '2026-03-12T12:30:00Z', country: 'US', title: 'CPI', importance: 'high' },
  ];
  expectStatus(await t.call('POST', '/v1/market-data/events', { token, headers: P, body: { events } }), 200);
  // two SIMULATION accounts; on the last: two mode changes, two orders (each with its decision and fill)
  for (const name of ['Desk one', 'Desk two']) {
    const headers = { ...P, 'Idempotency-Key': `hardening-account-${name.replace(' ', '-')}` };
    const created = await t.call('POST', '/v1/accounts', { token, headers, body: { name, venue: 'SIMULATION' } });
    expectStatus(created, 201);
    fixture.accountId = String(created.body.accountId);
  }
  const account = `/v1/accounts/${fixture.accountId}`;
  for (const [version, mode] of [
    [1, 'AUTONOMOUS'],
    [2, 'GUIDE'],
    [3, 'AUTONOMOUS'],
  ] as const) {
    const headers = { ...P, 'If-Match': `"${version}"` };
    expectStatus(await t.call('PUT', `${account}/mode`, { token, headers, body: { mode } }), 200);
  }
  const prices = { prices: [{ symbol: 'AAPL', price: '100' }] };
  expectStatus(await t.call('POST', `${account}/prices`, { token, headers: P, body: prices }), 200);
  for (const i of [1, 2]) {
    const headers = { ...P, 'Idempotency-Key': `hardening-order-${i}` };
    const body = { accountId: fixture.accountId, symbol: 'AAPL', side: 'buy', quantity: String(i) };
    expectStatus(await t.call('POST', '/v1/orders', { token, headers, body }), 201);
  }
  for (const [code, targetPct] of [
    ['EQ', '60'],
    ['BD', '40'],
  ]) {
    const body = { name: code, code, type: 'equity', targetPct };
    expectStatus(await t.call('POST', `${ledger}/categories`, { token, headers: P, body }), 201);
  }
  await planningLists(token);
  await automationLists(token);
  for (const i of [1, 2]) {
    const body = { symbol: 'AAPL', interval: '1day', bars: 100 + i };
    const made = await t.call('POST', '/v1/strategies/buyAndHold/analyze', { token, headers: P, body });
    expectStatus(made, 201);
  }
  // two backtests on the seeded AAPL bars, each with trades to page through
  for (const slow of [5, 6]) {
    const body = { strategy: 'smaCross', params: { fast: 2, slow }, symbol: 'AAPL', interval: '1day' };
    const window = { from: '2000-01-01', to: new Date(t.rt.platform.now()).toISOString() };
    const made = await t.call('POST', '/v1/backtests', { token, headers: P, body: { ...body, ...window } });
    expectStatus(made, 201);
    fixture.backtestId = String(made.body.backtestId);
  }
  await optimisationLists(token);
  for (const days of [1, 2]) {
    const current = await t.call('GET', '/v1/trading/settings', { token });
    const headers = { 'If-Match': String(current.headers.get('etag')) };
    const body = { autoOptimisation: { enabled: false, intervalDays: days } };
    expectStatus(await t.call('PUT', '/v1/trading/settings', { token, headers, body }), 200);
  }
  await watchlistLists(token);
  // two favourites of the admin's (the profile's list)
  for (const symbol of ['AAPL', 'MSFT']) {
    expectStatus(await t.call('PUT', `/v1/me/favourites/symbols/${symbol}`, { token }), 200);
  }
  await archiveLists(token);
});

/** Two journal archives (January and February 2020, two entries in January), by a one-off archive run. */
async function archiveLists(token: string) {
  const journal = new DynamoTradingStore(t.rt.platform.db, t.rt.tables.pooled, {
    tenantId: 't_demo',
    projectId: 'p_demo',
  });
  for (const at of ['2020-01-10T10:00:00.000Z', '2020-01-11T10:00:00.000Z', '2020-02-10T10:00:00.000Z']) {
    const ms = Date.parse(at);
    const uow = t.rt.platform.unitOfWork({ kind: 'system', tenantId: 't_demo', requestId: 'lists' }, ms);
    journal.appendJournal(uow, {
      entryId: newJournalId(ms),
      accountId: 'ac_lists',
      orderId: `or_lists_${ms}`,
      fillId: `fl_lists_${ms}`,
      source: 'SIMULATION',
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      price: '100',
      fee: '0',
      intent: 'allocation',
      at,
    });
    await uow.commit();
  }
  const dueAt = new Date(t.rt.platform.now() - 60_000).toISOString();
  await t.rt.platform.due.scheduleMany([
    {
      job: 'ops.archive-run',
      tenantId: 't_demo',
      env: 'dev',
      workId: 'lists-archive',
      dueAt,
      payload: { kind: 'journal' },
    },
  ]);
  expectStatus(await t.call('POST', '/_local/tick', {}), 200);
  const archives = await t.call('GET', '/v1/archives?kind=journal', { token });
  fixture.archiveId = String(archives.body.items?.find((m) => m.count === 2)?.archiveId);
}

afterAll(async () => {
  await t.stop();
});

/** Two of each rebalancing list on the account's portfolio: proposals, executions, schedules, rules, runs. */
async function planningLists(token: string) {
  const account = await t.call('GET', `/v1/accounts/${fixture.accountId}`, { token, headers: P });
  fixture.tradedPortfolioId = String(account.body.portfolioId);
  const traded = `/v1/portfolios/${fixture.tradedPortfolioId}`;
  for (const i of [1, 2]) {
    const made = await t.call('POST', `${traded}/rebalance/proposals`, {
      token,
      headers: P,
      body: { accountId: fixture.accountId },
    });
    expectStatus(made, 201);
    const headers = { ...P, 'Idempotency-Key': `hardening-execute-${i}` };
    const path = `${traded}/rebalance/proposals/${String(made.body.proposalId)}/execute`;
    expectStatus(await t.call('POST', path, { token, headers, body: {} }), 201);
    const body = { name: `Schedule ${i}`, frequency: 'daily', timeOfDay: '00:00', timezone: 'UTC' };
    expectStatus(await t.call('POST', `${traded}/rebalance/schedules`, { token, headers: P, body }), 201);
  }
  const stop = { kind: 'stop_loss', accountId: fixture.accountId, symbol: 'MSFT', stopPct: '10' };
  expectStatus(await t.call('POST', `${traded}/rules`, { token, headers: P, body: stop }), 201);
  // a DCA due two minutes from now whose price ceiling skips every run: two ticks a day apart, two runs
  const due = new Date(t.rt.platform.now() + 120_000);
  const timeOfDay = due.toISOString().slice(11, 16);
  const dca = {
    kind: 'dca',
    accountId: fixture.accountId,
    symbol: 'AAPL',
    amount: '100',
    frequency: 'daily',
    timeOfDay,
    timezone: 'UTC',
    maxPrice: '0.01',
  };
  const rule = await t.call('POST', `${traded}/rules`, { token, headers: P, body: dca });
  expectStatus(rule, 201);
  fixture.ruleId = String(rule.body.ruleId);
  for (const ahead of [180_000, 86_400_000 + 180_000]) {
    const at = new Date(due.getTime() - 120_000 + ahead).toISOString();
    expectStatus(await t.call('POST', '/_local/tick', { body: { at } }), 200);
  }
}

/** Two playbooks (one active, so two versions of it), two of its cycles and their decisions. */
async function automationLists(token: string) {
  const body = { name: 'Hardening', strategy: 'buyAndHold', symbol: 'AAPL', interval: '1day' };
  for (const name of ['Hardening one', 'Hardening two']) {
    const made = await t.call('POST', '/v1/playbooks', {
      token,
      headers: P,
      body: { ...body, name, accountId: fixture.accountId },
    });
    expectStatus(made, 201);
    fixture.playbookId = String(made.body.playbookId);
  }
  expectStatus(
    await t.call('POST', `/v1/playbooks/${fixture.playbookId}/activate`, { token, headers: P, body: {} }),
    200,
  );
  for (const i of [1, 2]) {
    const headers = { ...P, 'Idempotency-Key': `hardening-cycle-${i}` };
    const ran = await t.call('POST', '/v1/automation/cycles', {
      token,
      headers,
      body: { playbookId: fixture.playbookId },
    });
    expectStatus(ran, 201);
  }
  for (const i of [1, 2]) {
    const judged = await t.call('POST', '/v1/feedback/run', {
      token,
      headers: { ...P, 'Idempotency-Key': `hardening-feedback-${i}` },
      body: { playbookId: fixture.playbookId },
    });
    expectStatus(judged, 201);
  }
}

/**
 * Two watchlists of u_admin, two items with an alert level the seeded prices are under (so the
 * alert check, due the next minute, notifies twice: two notifications to page through).
 */
async function watchlistLists(token: string) {
  for (const name of ['Watch one', 'Watch two']) {
    const made = await t.call('POST', '/v1/watchlists', { token, body: { name } });
    expectStatus(made, 201);
    fixture.watchlistId = String(made.body.watchlistId);
  }
  for (const symbol of ['AAPL', 'MSFT']) {
    const body = { symbol, alertBelow: '1000000' };
    expectStatus(await t.call('POST', `/v1/watchlists/${fixture.watchlistId}/items`, { token, body }), 201);
  }
  const at = new Date(t.rt.clock.now() + 61_000).toISOString();
  expectStatus(await t.call('POST', '/_local/tick', { body: { at } }), 200);
}

/** Two optimisations of the seeded AAPL bars, run on the jobs spine: the last one's results page too. */
async function optimisationLists(token: string) {
  const day = (ago: number) => new Date(t.rt.platform.now() - ago * 86_400_000).toISOString().slice(0, 10);
  for (const seed of [1, 2]) {
    const body = {
      strategy: 'smaCross',
      space: { fast: { values: [3, 5] }, slow: { values: [20, 30] } },
      method: 'grid',
      maxCandidates: 4,
      seed,
      objective: 'sharpe',
      symbol: 'AAPL',
      interval: '1day',
      from: day(300),
      to: day(30),
    };
    const made = await t.call('POST', '/v1/optimisations', { token, headers: P, body });
    expectStatus(made, 202);
    fixture.optimisationId = String(made.body.optimisationId);
  }
  // the plan jobs are due at once: the next tick runs them
  expectStatus(await t.call('POST', '/_local/tick', {}), 200);
}

/** Every list route, with what it takes to read it. */
/** `path?` or `path&`: where a list's own query goes on */
const pageUrl = (path: string) => (path.includes('?') ? `${path}&` : `${path}?`);

/** ids the lists below need, made in beforeAll */
const fixture = {
  portfolioId: '',
  accountId: '',
  tradedPortfolioId: '',
  ruleId: '',
  playbookId: '',
  backtestId: '',
  optimisationId: '',
  watchlistId: '',
  archiveId: '',
};

const LISTS: Array<{ id: string; path: string; headers?: Record<string, string> }> = [
  { id: 'projects.list', path: '/v1/tenants/t_demo/projects' },
  { id: 'members.list', path: '/v1/tenants/t_demo/members' },
  { id: 'apiKeys.list', path: '/v1/api-keys' },
  { id: 'audit.list', path: '/v1/audit' },
  { id: 'portfolios.list', path: '/v1/portfolios', headers: P },
  {
    id: 'transactions.list',
    get path() {
      return `/v1/portfolios/${fixture.portfolioId}/transactions`;
    },
    headers: P,
  },
  {
    id: 'imports.list',
    get path() {
      return `/v1/portfolios/${fixture.portfolioId}/imports`;
    },
    headers: P,
  },
  { id: 'marketData.events', path: '/v1/market-data/events?from=2026-01-01&to=2026-12-31', headers: P },
  { id: 'accounts.list', path: '/v1/accounts', headers: P },
  {
    id: 'accounts.modeHistory',
    get path() {
      return `/v1/accounts/${fixture.accountId}/mode/history`;
    },
    headers: P,
  },
  { id: 'orders.list', path: '/v1/orders', headers: P },
  { id: 'risk.decisions', path: '/v1/risk/decisions', headers: P },
  { id: 'journal.entries', path: '/v1/journal/entries', headers: P },
  { id: 'tradingSettings.history', path: '/v1/trading/settings/history' },
  {
    id: 'categories.list',
    get path() {
      return `/v1/portfolios/${fixture.portfolioId}/categories`;
    },
    headers: P,
  },
  ...(
    [
      ['rebalance.proposals.list', 'rebalance/proposals'],
      ['rebalance.executions.list', 'rebalance/executions'],
      ['rebalance.schedules.list', 'rebalance/schedules'],
      ['rules.list', 'rules'],
    ] as const
  ).map(([id, tail]) => ({
    id,
    get path() {
      return `/v1/portfolios/${fixture.tradedPortfolioId}/${tail}`;
    },
    headers: P,
  })),
  { id: 'signals.list', path: '/v1/signals', headers: P },
  { id: 'backtests.list', path: '/v1/backtests', headers: P },
  { id: 'optimisations.list', path: '/v1/optimisations', headers: P },
  {
    id: 'optimisations.results',
    get path() {
      return `/v1/optimisations/${fixture.optimisationId}/results`;
    },
    headers: P,
  },
  {
    id: 'backtests.trades',
    get path() {
      return `/v1/backtests/${fixture.backtestId}/trades`;
    },
    headers: P,
  },
  { id: 'playbooks.list', path: '/v1/playbooks', headers: P },
  {
    id: 'playbooks.versions',
    get path() {
      return `/v1/playbooks/${fixture.playbookId}/versions`;
    },
    headers: P,
  },
  { id: 'automation.cycles.list', path: '/v1/automation/cycles', headers: P },
  { id: 'watchlists.list', path: '/v1/watchlists?include=shared' },
  {
    id: 'watchlists.items.list',
    get path() {
      return `/v1/watchlists/${fixture.watchlistId}/items`;
    },
  },
  { id: 'notifications.list', path: '/v1/me/notifications' },
  { id: 'automation.decisions.list', path: '/v1/automation/decisions', headers: P },
  { id: 'feedback.decisions.list', path: '/v1/feedback/decisions', headers: P },
  { id: 'journal.snapshots.list', path: '/v1/journal/snapshots', headers: P },
  {
    id: 'rules.runs',
    get path() {
      return `/v1/portfolios/${fixture.tradedPortfolioId}/rules/${fixture.ruleId}/runs`;
    },
    headers: P,
  },
  { id: 'favourites.list', path: '/v1/me/favourites' },
  { id: 'archives.list', path: '/v1/archives?kind=journal' },
  {
    id: 'archives.records',
    get path() {
      return `/v1/archives/${fixture.archiveId}/records`;
    },
  },
  { id: 'journal.tradeLogs.list', path: '/v1/journal/trade-logs', headers: P },
];

/**
 * The cursor with its signature's first character changed. (Writing "AA" over the last two was
 * the same cursor whenever the signature already ended so: 1 in 4,096 per list, and CI met it.)
 */
function tamperedSignature(cursor: string): string {
  const [payload, signature] = cursor.split('.');
  return `${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
}

async function firstPage(list: (typeof LISTS)[number], token: string, query = '') {
  const r = await t.call('GET', `${pageUrl(list.path)}limit=1${query}`, { token, headers: list.headers });
  expectStatus(r, 200);
  expect(r.body.items).toHaveLength(1);
  expect(typeof r.body.nextCursor, `${list.id} has a second page`).toBe('string');
  return String(r.body.nextCursor);
}

describe('signed cursors on every list route', () => {
  // detailed health resolves the cursor key (never shown, never used) to check the secret store:
  // the least sensitive secret a function can read
  const PROBES = new Set(['health.detailed']);
  it('every route whose query takes a cursor declares the key that signs it (and no other route does)', () => {
    for (const r of ALL_ROUTES.filter((x) => !PROBES.has(x.id))) {
      const query = r.request.query ? resolveSchema(r.request.query) : undefined;
      const shape = (query as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      const takesCursor = Boolean(shape && 'cursor' in shape);
      expect(Boolean(r.uses.secrets?.includes('cursor')), r.id).toBe(takesCursor);
    }
    expect(LISTS.map((l) => l.id).sort()).toEqual(
      ALL_ROUTES.filter((r) => r.uses.secrets?.includes('cursor') && !PROBES.has(r.id))
        .map((r) => r.id)
        .sort(),
    );
  });

  for (const list of LISTS) {
    it(`${list.id}: an opaque cursor that follows; forged or foreign ones → 400 INVALID_CURSOR`, async () => {
      nextMinute();
      const token = await admin();
      const cursor = await firstPage(list, token);
      // opaque: the store's key attributes are not readable in it
      expect(Buffer.from(cursor.split('.')[0], 'base64url').toString()).not.toMatch(/"(PK|SK|GSI1PK)"/);
      const next = await t.call('GET', `${pageUrl(list.path)}limit=1&cursor=${cursor}`, {
        token,
        headers: list.headers,
      });
      expectStatus(next, 200);
      expect(next.body.items).toHaveLength(1);

      // the 500s of issue 8: an extra attribute, no SK, an empty SK — as raw positions, unsigned
      const raw = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const forged = [
        raw({ PK: 'TENANT#t_demo', SK: 'X', extra: 'y' }),
        raw({ PK: 'TENANT#t_demo' }),
        raw({ PK: 'TENANT#t_demo', SK: '' }),
        tamperedSignature(cursor),
        `${raw({ p: 'x', x: 4_102_444_800 })}.${cursor.split('.')[1]}`,
      ];
      for (const bad of forged) {
        const r = await t.call('GET', `${pageUrl(list.path)}limit=1&cursor=${bad}`, { token, headers: list.headers });
        expectStatus(r, 400, 'INVALID_CURSOR');
      }
      // another caller's cursor: the system admin (who may read t_demo's lists) is someone else
      if (list.id === 'projects.list' || list.id === 'members.list') {
        const other = await t.call('GET', `${pageUrl(list.path)}limit=1&cursor=${cursor}`, {
          token: await sys(),
          headers: { 'X-Tenant-Id': 't_system' },
        });
        expectStatus(other, 400, 'INVALID_CURSOR');
      }
      // another route's cursor
      const elsewhere = LISTS.find((l) => l.id !== list.id) ?? LISTS[0];
      const r = await t.call('GET', `${elsewhere.path}?limit=1&cursor=${cursor}`, {
        token,
        headers: elsewhere.headers,
      });
      expectStatus(r, 400, 'INVALID_CURSOR');
    });
  }

  it('audit.list: a cursor of one filter is refused by another', async () => {
    const token = await admin();
    const newest = await t.call('GET', '/v1/audit?limit=50', { token });
    const actions = (newest.body.items ?? []).map((item) => String(item.action));
    const action = actions.find((a) => actions.filter((b) => b === a).length > 1) ?? actions[0];
    const other = actions.find((a) => a !== action) ?? 'none.such';
    const cursor = await firstPage(LISTS[3], token, `&action=${action}`);
    expectStatus(await t.call('GET', `/v1/audit?limit=1&action=${action}&cursor=${cursor}`, { token }), 200);
    const refused = await t.call('GET', `/v1/audit?limit=1&action=${other}&cursor=${cursor}`, { token });
    expectStatus(refused, 400, 'INVALID_CURSOR');
    expectStatus(await t.call('GET', `/v1/audit?limit=1&cursor=${cursor}`, { token }), 400, 'INVALID_CURSOR');
  });
});

describe('context headers are checked before any lookup', () => {
  it('an X-Tenant-Id over 2,000 characters → 400 INVALID_TENANT_ID (it was a 500 before authentication)', async () => {
    const huge = `t${'x'.repeat(2099)}`;
    const token = await t.token('u_operator', 't_demo');
    for (const o of [{ token }, { token: await t.token('u_operator') }, {}]) {
      const r = await t.call('GET', '/v1/portfolios', { ...o, headers: { ...P, 'X-Tenant-Id': huge } });
      expect(r.status).toBeLessThan(500);
      expect([400, 401]).toContain(r.status);
    }
    const r = await t.call('GET', '/v1/portfolios', { token, headers: { ...P, 'X-Tenant-Id': huge } });
    expectStatus(r, 400, 'INVALID_TENANT_ID');
  });

  it('X-Env: __proto__ → 400 INVALID_ENV (it was a 503)', async () => {
    const token = await t.token('u_operator', 't_demo');
    for (const env of ['__proto__', 'constructor', 'toString']) {
      expectStatus(
        await t.call('GET', '/v1/portfolios', { token, headers: { ...P, 'X-Env': env } }),
        400,
        'INVALID_ENV',
      );
    }
  });

  it('X-Env: prod locally → 503 saying the env has no routing entries', async () => {
    const r = await t.call('GET', '/v1/portfolios', {
      token: await t.token('u_operator', 't_demo'),
      headers: { ...P, 'X-Env': 'prod' },
    });
    expectStatus(r, 503, 'ROUTING_NOT_CONFIGURED');
    expect(r.body.detail).toMatch(/env prod has no routing entries/);
  });

  it('a query value the validator cannot read → a message without internals (no "received NaN")', async () => {
    const r = await t.call('GET', '/v1/portfolios?limit=ten', {
      token: await t.token('u_operator', 't_demo'),
      headers: P,
    });
    expectStatus(r, 400, 'VALIDATION_FAILED');
    expect(r.body.errors).toEqual([{ path: 'query.limit', message: 'must be a number' }]);
    expect(r.text).not.toMatch(/NaN|received/);
  });
});

describe('fresh login on dangerous routes (RFC 9470)', () => {
  const createKey = (o: { token?: string; apiKey?: string }, name = 'step-up') =>
    t.call('POST', '/v1/api-keys', { ...o, headers: P, body: { name, tier: 'observer', roles: ['viewer'] } });

  it('POST /v1/api-keys with a login older than 5 minutes → 401 with the step-up challenge', async () => {
    const stale = await t.token('u_admin', 't_demo', undefined, { authTime: nowSeconds() - 301 });
    const r = await createKey({ token: stale });
    expectStatus(r, 401, 'FRESH_LOGIN_REQUIRED');
    expect(r.headers.get('www-authenticate')).toBe('Bearer error="insufficient_user_authentication", max_age=300');
    expect(r.headers.get('ratelimit-limit')).toBeTruthy();
    expectStatus(await createKey({ token: await admin() }), 201);
  });

  it('POST /_local/token takes authTime (epoch seconds) to simulate a stale login; it defaults to now', async () => {
    const mint = async (body: Record<string, unknown>) => {
      const res = await fetch(`${t.rt.url}/_local/token`, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return String(((await res.json()) as { accessToken: string }).accessToken);
    };
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { auth_time: number; iat: number };
    const stale = await mint({ sub: 'u_admin', tenantId: 't_demo', authTime: nowSeconds() - 3600 });
    expect(claims(stale).auth_time).toBeLessThan(claims(stale).iat);
    expectStatus(await createKey({ token: stale }), 401, 'FRESH_LOGIN_REQUIRED');
    const now = await mint({ sub: 'u_admin', tenantId: 't_demo' });
    expect(Math.abs(claims(now).auth_time - nowSeconds())).toBeLessThanOrEqual(5);
    expectStatus(await createKey({ token: now }), 201);
    const tooLong = await fetch(`${t.rt.url}/_local/token`, {
      method: 'POST',
      body: JSON.stringify({ sub: 'u_admin', expiresIn: '48h' }),
    });
    expect(tooLong.status).toBe(400);
    const badTime = await fetch(`${t.rt.url}/_local/token`, {
      method: 'POST',
      body: JSON.stringify({ sub: 'u_admin', authTime: 'yesterday' }),
    });
    expect(badTime.status).toBe(400);
  });

  it('an API key cannot create API keys → 403', async () => {
    const made = await createKey({ token: await admin() }, 'admin key');
    const key = await t.call('POST', '/v1/api-keys', {
      token: await admin(),
      headers: P,
      body: { name: 'an admin key', tier: 'observer', roles: ['admin'] },
    });
    expectStatus(made, 201);
    expectStatus(key, 201);
    const r = await createKey({ apiKey: String(key.body.secret) });
    expect(r.status).toBe(403);
  });
});

describe('POST /v1/api-keys under an Idempotency-Key', () => {
  it('the secret is shown once: never stored, and a replay → 409 SECRET_SHOWN_ONCE naming the key', async () => {
    const token = await admin();
    const headers = { ...P, 'Idempotency-Key': 'create-key-once-0001' };
    const body = { name: 'shown once', tier: 'observer', roles: ['viewer'] };
    const first = await t.call('POST', '/v1/api-keys', { token, headers, body });
    expectStatus(first, 201);
    const secret = String(first.body.secret);
    const stored = await t.rt.platform.db.send(new ScanCommand({ TableName: t.rt.tables.control }));
    expect(JSON.stringify(stored.Items ?? [])).not.toContain(secret);
    const replay = await t.call('POST', '/v1/api-keys', { token, headers, body });
    expectStatus(replay, 409, 'SECRET_SHOWN_ONCE');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).not.toContain(secret);
    expect((replay.body.resource as { keyId?: string } | undefined)?.keyId).toBe(first.body.keyId);
  });
});
