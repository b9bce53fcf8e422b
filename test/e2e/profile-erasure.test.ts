import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../packages/platform/src/http/handler.js';
import {
  defaultChannels,
  DynamoNotificationStore,
  eraseWatchlistsOf,
  notify,
} from '../../packages/app/src/watchlists/index.js';
import { ERASURE_STEPS, EXPORT_SECTIONS } from '../../packages/app/src/profile/index.js';
import { DynamoWatchlistStore } from '../../packages/app/src/watchlists/store.dynamo.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Issue 13, export and erasure across contexts: GET /v1/me/export carries the watchlists context's
 * section (own watchlists with items and shares, those shared with the caller, notifications), and
 * DELETE /v1/me erases them everywhere — the caller's watchlists (a former sharee gets 404, their
 * list no longer shows them), the shares granted to the caller (gone from the owner's side), the
 * notifications — while another user's watchlists are untouched. Every call also proves no 500.
 *
 * In t_demo: u_operator is erased; u_sovereign owns a watchlist shared with them; u_navigator is a
 * sharee of theirs; u_observer stands by with watchlists and a notification of their own.
 */

let t: TestRuntime;
type Json = Record<string, unknown>;

const nowSeconds = () => Math.floor(t.rt.platform.now() / 1000);
const user = (sub: string) => t.token(sub, 't_demo');
const staleLogin = (sub: string) => t.token(sub, 't_demo', undefined, { authTime: nowSeconds() - 3600 });
async function as(
  sub: string,
  method: string,
  path: string,
  o: { body?: unknown; headers?: Record<string, string> } = {},
) {
  return t.call(method, path, { token: await user(sub), ...o });
}

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** Every item of the pooled table, as stored. */
async function scan(): Promise<Json[]> {
  const out: Json[] = [];
  let start: Json | undefined;
  do {
    const res = await t.rt.platform.db.send(
      new ScanCommand({ TableName: t.rt.tables.pooled, ExclusiveStartKey: start }),
    );
    out.push(...((res.Items ?? []) as Json[]));
    start = res.LastEvaluatedKey as Json | undefined;
  } while (start);
  return out;
}
/** What the pooled table holds of or about a user: their keys, grants to them, their alert index entries. */
const heldAbout = async (userId: string) =>
  (await scan()).filter(
    (item) =>
      String(item.PK).startsWith(`TENANT#t_demo#USER#${userId}#`) ||
      String(item.SK) === `SHARE#${userId}` ||
      String(item.GSI1SK ?? '').startsWith(`${userId}#`),
  );

/** A notification stored for a user as other contexts send one (notify, watchlists' index). */
async function notifyUser(userId: string, subject: string) {
  const now = t.rt.platform.now();
  await notify(
    {
      tenantId: 't_demo',
      notifications: new DynamoNotificationStore(t.rt.platform.db, t.rt.tables.pooled, 't_demo'),
      notifier: () => ({ send: async () => ({ messageId: 'm-test' }) }),
      channelsFor: defaultChannels,
      now,
      unitOfWork: () => t.rt.platform.unitOfWork({ kind: 'system', tenantId: 't_demo', requestId: 'test' }, now),
    },
    { userId, kind: 'risk.halt', subject, body: `${subject}: the body` },
  );
}

async function createWatchlist(owner: string, name: string, visibility: 'private' | 'shared', items: Json[]) {
  const made = await as(owner, 'POST', '/v1/watchlists', { body: { name, visibility, description: `${name} notes` } });
  expectStatus(made, 201);
  const id = String(made.body.watchlistId);
  for (const item of items) expectStatus(await as(owner, 'POST', `/v1/watchlists/${id}/items`, { body: item }), 201);
  return id;
}
async function share(owner: string, id: string, to: string, access: 'read' | 'edit') {
  expectStatus(await as(owner, 'PUT', `/v1/watchlists/${id}/shares/${to}`, { body: { access } }), 201);
}
const sharedListOf = async (sub: string) => {
  const res = await as(sub, 'GET', '/v1/watchlists?include=shared&limit=200');
  expectStatus(res, 200);
  return (res.body.items ?? []).map((w) => String(w.watchlistId));
};

beforeAll(async () => {
  t = await startRuntime();
});
// each test a minute later on the runtime's clock: the users' many calls stay within their rate limits
beforeEach(() => t.rt.clock.set(t.rt.clock.now() + 61_000));
afterAll(async () => {
  await t?.stop();
});

const ids: Record<string, string> = {};

describe('export: the watchlists section', () => {
  it('your watchlists with items and the shares you granted, those shared with you, your notifications', async () => {
    ids.mine = await createWatchlist('u_operator', 'Operator tech', 'shared', [
      { symbol: 'AAPL', note: 'operator note', alertAbove: '1000' },
      { symbol: 'MSFT' },
    ]);
    ids.minePrivate = await createWatchlist('u_operator', 'Operator quiet', 'private', [{ symbol: 'VTI' }]);
    await share('u_operator', ids.mine, 'u_navigator', 'read');
    ids.theirs = await createWatchlist('u_sovereign', 'Sovereign picks', 'shared', [{ symbol: 'SPY' }]);
    await share('u_sovereign', ids.theirs, 'u_operator', 'edit');
    await share('u_sovereign', ids.theirs, 'u_navigator', 'read');
    ids.bystander = await createWatchlist('u_observer', 'Observer list', 'shared', [
      { symbol: 'QQQ', alertBelow: '1' },
    ]);
    await share('u_observer', ids.bystander, 'u_navigator', 'read');
    await notifyUser('u_operator', 'operator halted once');
    await notifyUser('u_operator', 'operator halted twice');
    await notifyUser('u_observer', 'observer halted');

    expectStatus(
      await t.call('GET', '/v1/me/export', { token: await staleLogin('u_operator') }),
      401,
      'FRESH_LOGIN_REQUIRED',
    );
    const res = await as('u_operator', 'GET', '/v1/me/export');
    expectStatus(res, 200);
    const sections = res.body.sections as Record<string, Json>;
    expect(Object.keys(sections)).toEqual(['profile', 'watchlists', 'journal']);
    const section = sections.watchlists as {
      own: Array<Json & { items: Json[]; shares: Json[] }>;
      sharedWithMe: Json[];
      notifications: Json[];
    };
    // newest first, each with its items (symbol order) and the shares granted
    expect(section.own.map((w) => w.watchlistId)).toEqual([ids.minePrivate, ids.mine]);
    const mine = section.own[1];
    expect(mine).toMatchObject({ name: 'Operator tech', ownerId: 'u_operator', description: 'Operator tech notes' });
    expect(mine.items.map((i) => i.symbol)).toEqual(['AAPL', 'MSFT']);
    expect(mine.items[0]).toMatchObject({ note: 'operator note', alertAbove: '1000' });
    expect(mine.shares).toEqual([expect.objectContaining({ userId: 'u_navigator', access: 'read' })]);
    expect(section.own[0].shares).toEqual([]);
    expect(section.sharedWithMe).toEqual([
      { watchlistId: ids.theirs, name: 'Sovereign picks', ownerId: 'u_sovereign', access: 'edit' },
    ]);
    expect(section.notifications.map((n) => n.subject)).toEqual(['operator halted twice', 'operator halted once']);
    // nobody else's: not the bystander's watchlist, nor their notification
    expect(res.text).not.toContain(ids.bystander);
    expect(res.text).not.toContain('observer halted');

    // the sharee's export lists what is shared with them, owned by others
    const sharee = await as('u_navigator', 'GET', '/v1/me/export');
    expectStatus(sharee, 200);
    const theirs = (sharee.body.sections as Record<string, { own: Json[]; sharedWithMe: Json[] }>).watchlists;
    expect(theirs.own).toEqual([]);
    expect(theirs.sharedWithMe.map((w) => [w.watchlistId, w.ownerId, w.access])).toEqual([
      [ids.bystander, 'u_observer', 'read'],
      [ids.theirs, 'u_sovereign', 'read'],
      [ids.mine, 'u_operator', 'read'],
    ]);
  });
});

describe('erasure: the watchlists context', () => {
  it('the last admin is refused before anything changes: their watchlists stay', async () => {
    const id = await createWatchlist('u_admin', 'Admin list', 'private', [{ symbol: 'IBM' }]);
    const refused = await as('u_admin', 'DELETE', '/v1/me', { headers: { 'Idempotency-Key': 'erase-admin-1' } });
    expectStatus(refused, 409, 'LAST_ADMIN');
    const still = await as('u_admin', 'GET', `/v1/watchlists/${id}/items`);
    expectStatus(still, 200);
    expect((still.body.items ?? []).map((i) => i.symbol)).toEqual(['IBM']);
  });

  it('deletes your watchlists, the shares granted to you, your notifications; a tombstone without them', async () => {
    // the edit sharee adds to the owner's watchlist: the owner's item stays theirs
    expectStatus(
      await as('u_operator', 'POST', `/v1/watchlists/${ids.theirs}/items`, { body: { symbol: 'TSLA' } }),
      201,
    );
    expect((await heldAbout('u_operator')).length).toBeGreaterThan(5);
    const res = await as('u_operator', 'DELETE', '/v1/me', { headers: { 'Idempotency-Key': 'erase-operator-1' } });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      membershipRemoved: true,
      erased: { watchlists: { watchlists: 2, items: 3, sharesGranted: 1, sharesReceived: 1, notifications: 2 } },
    });
    // nothing of the user is left in the data table: no key of theirs, no grant to them, no alert entry
    expect(await heldAbout('u_operator')).toEqual([]);

    const audit = await as('u_admin', 'GET', '/v1/audit?limit=200&action=profile.erase');
    expectStatus(audit, 200);
    const tombstone = (audit.body.items ?? []).find((a) => a.resource === 'user/u_operator');
    expect(tombstone?.after).toMatchObject({ erased: { watchlists: { watchlists: 2 } } });
    const text = JSON.stringify(tombstone);
    for (const held of ['Operator tech', 'operator note', 'AAPL', 'operator halted', ids.mine]) {
      expect(text, `${held} in the tombstone`).not.toContain(held);
    }
  });

  it('a former sharee gets 404 on the erased watchlists, and their shared list no longer shows them', async () => {
    for (const path of [`/v1/watchlists/${ids.mine}`, `/v1/watchlists/${ids.mine}/items`]) {
      expectStatus(await as('u_navigator', 'GET', path), 404, 'WATCHLIST_NOT_FOUND');
    }
    expect(await sharedListOf('u_navigator')).toEqual([ids.bystander, ids.theirs]);
    const exported = await as('u_navigator', 'GET', '/v1/me/export');
    expect(exported.text).not.toContain(ids.mine);
  });

  it('a share granted to the erased user is gone from the owner’s watchlist; the owner’s others stay', async () => {
    expectStatus(
      await as('u_sovereign', 'DELETE', `/v1/watchlists/${ids.theirs}/shares/u_operator`),
      404,
      'SHARE_NOT_FOUND',
    );
    const own = await as('u_sovereign', 'GET', '/v1/me/export');
    const theirs = (own.body.sections as Record<string, { own: Array<Json & { shares: Json[]; items: Json[] }> }>)
      .watchlists.own;
    expect(theirs.map((w) => w.watchlistId)).toEqual([ids.theirs]);
    expect(theirs[0].shares.map((s) => s.userId)).toEqual(['u_navigator']);
    // the item the erased user added is the owner's, and stays
    expect(theirs[0].items.map((i) => i.symbol)).toEqual(['SPY', 'TSLA']);
    expectStatus(await as('u_navigator', 'GET', `/v1/watchlists/${ids.theirs}`), 200);
  });

  it('another user’s watchlists, shares and notifications are untouched', async () => {
    const got = await as('u_observer', 'GET', `/v1/watchlists/${ids.bystander}/items`);
    expectStatus(got, 200);
    expect((got.body.items ?? []).map((i) => i.symbol)).toEqual(['QQQ']);
    const notes = await as('u_observer', 'GET', '/v1/me/notifications');
    expect((notes.body.items ?? []).map((n) => n.subject)).toEqual(['observer halted']);
    expectStatus(await as('u_navigator', 'GET', `/v1/watchlists/${ids.bystander}`), 200);
  });

  it('added back, the user starts empty: no watchlist, no share, no notification of before', async () => {
    const back = await as('u_admin', 'PUT', '/v1/tenants/t_demo/members/u_operator', {
      body: { roles: ['trader'], tier: 'operator' },
    });
    expectStatus(back, 201);
    expect(await sharedListOf('u_operator')).toEqual([]);
    expect((await as('u_operator', 'GET', '/v1/me/notifications')).body.items).toEqual([]);
    for (const id of [ids.mine, ids.minePrivate, ids.theirs]) {
      expectStatus(await as('u_operator', 'GET', `/v1/watchlists/${id}`), 404, 'WATCHLIST_NOT_FOUND');
    }
  });
});

describe('erasure cut short', () => {
  it('stops at its budget between two watchlists; the erasure retried finishes, counting what was left', async () => {
    expectStatus(
      await as('u_admin', 'PUT', '/v1/tenants/t_demo/members/u_partial', {
        body: { roles: ['trader'], tier: 'operator' },
      }),
      201,
    );
    const made = [
      await createWatchlist('u_partial', 'Partial one', 'shared', [{ symbol: 'AAPL' }]),
      await createWatchlist('u_partial', 'Partial two', 'private', [{ symbol: 'MSFT' }, { symbol: 'VTI' }]),
      await createWatchlist('u_partial', 'Partial three', 'private', []),
    ];
    await share('u_partial', made[0], 'u_navigator', 'read');
    await share('u_sovereign', ids.theirs, 'u_partial', 'read');
    await notifyUser('u_partial', 'partial halted');

    // what a request whose budget ran out did (the oldest watchlist first), as a backend of the route sees it
    const p = t.rt.platform;
    const backend: Backend = {
      platform: p,
      ctx: undefined,
      scope: { tenantId: 't_demo', env: 'dev' },
      data: await p.registry.require('t_demo', 'dev', 'data'),
      db: p.db,
      requestId: 'test-partial',
      now: p.now(),
    };
    const spent = { until: 0, now: () => t.rt.platform.now() };
    const first = await eraseWatchlistsOf(backend, { tenantId: 't_demo', userId: 'u_partial' }, spent);
    expect(first).toEqual({
      done: false,
      erased: { watchlists: 1, items: 1, sharesGranted: 1, sharesReceived: 0, notifications: 0 },
    });
    expectStatus(await as('u_navigator', 'GET', `/v1/watchlists/${made[0]}`), 404, 'WATCHLIST_NOT_FOUND');
    expect(await sharedListOf('u_partial')).toEqual([made[2], made[1], ids.theirs]);

    // the request retried (a new attempt, or the same Idempotency-Key after a 503) finishes what is left
    const res = await as('u_partial', 'DELETE', '/v1/me', { headers: { 'Idempotency-Key': 'erase-partial-1' } });
    expectStatus(res, 200);
    expect(res.body.erased).toEqual({
      watchlists: { watchlists: 2, items: 2, sharesGranted: 0, sharesReceived: 1, notifications: 1 },
      journal: { notes: 0, corrections: 0, tradeLogs: 0, events: 0, analyses: 0 },
    });
    expect(await heldAbout('u_partial')).toEqual([]);
    expect(await sharedListOf('u_navigator')).toEqual([ids.bystander, ids.theirs]);
  });

  it('a watchlist whose erasure began is nobody’s to see or change, and the next run removes it', async () => {
    const id = await createWatchlist('u_sovereign', 'Being erased', 'shared', [{ symbol: 'IBM' }]);
    await share('u_sovereign', id, 'u_navigator', 'edit');
    const store = new DynamoWatchlistStore(t.rt.platform.db, t.rt.tables.pooled, 't_demo');
    await store.markErasing('u_sovereign', id);
    for (const sub of ['u_sovereign', 'u_navigator']) {
      expectStatus(await as(sub, 'GET', `/v1/watchlists/${id}`), 404, 'WATCHLIST_NOT_FOUND');
      const added = await as(sub, 'POST', `/v1/watchlists/${id}/items`, { body: { symbol: 'ORCL' } });
      expectStatus(added, 404, 'WATCHLIST_NOT_FOUND');
      expect(await sharedListOf(sub)).not.toContain(id);
    }
    expect(await store.eraseWatchlist('u_sovereign', id)).toEqual({ items: 1, shares: 1 });
    const left = (await scan()).filter((item) => JSON.stringify(item).includes(id));
    expect(left).toEqual([]);
  });
});

describe('wiring', () => {
  it('profile lists the watchlists section and step; watchlists imports nothing of profile (no cycle)', () => {
    expect(EXPORT_SECTIONS.map((section) => section.name)).toEqual(['watchlists', 'journal']);
    expect(ERASURE_STEPS.map((step) => step.name)).toEqual(['watchlists', 'journal']);
    const dir = join(import.meta.dirname, '../../packages/app/src/watchlists');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '\.\.\/profile\//.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
