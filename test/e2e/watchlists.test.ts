import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type CallOptions, type CallResult, type TestRuntime } from '../support/runtime.js';

// Watchlists are a user's, in a tenant of the test's own (t_wl, pooled, market data `none`: the
// latest price is the last stored daily close, which the test moves by uploading bars). The
// runtime's clock is the test's: the alert check runs when a tick finds it due.

let t: TestRuntime;
// half a minute into the current minute (tokens are checked against real time too)
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
const TENANT = 't_wl';
const PROJECT = 'p_wl';
const TODAY = new Date(clock).toISOString().slice(0, 10);
const tokens: Record<string, string> = {};

type Json = Record<string, unknown>;

async function as(user: string, method: string, path: string, o: CallOptions = {}): Promise<CallResult> {
  return t.call(method, path, { token: tokens[user], ...o });
}

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** 400 naming the field */
function expectField(res: CallResult, path: string) {
  expectStatus(res, 400);
  expect(
    (res.body.errors ?? []).map((e) => e.path),
    res.text,
  ).toContain(path);
}

/** Sets AAPL's close for today (a bar at a time already stored replaces it). */
async function close(symbol: string, price: string) {
  const res = await as('u_mdadmin', 'PUT', `/v1/market-data/candles/${symbol}/1day`, {
    headers: { 'X-Project-Id': PROJECT },
    body: { candles: [{ time: TODAY, open: price, high: price, low: price, close: price }] },
  });
  expectStatus(res, 200);
}

/** A minute later, one tick of the jobs spine; how many alert checks it ran. */
async function nextTick(): Promise<number> {
  clock += 60_000;
  const res = await t.call('POST', '/_local/tick', { body: {} });
  expectStatus(res, 200);
  const delivered = (res.body.delivered ?? {}) as Record<string, number>;
  expect((res.body.failed as Record<string, number>)['watchlists.alert-check'] ?? 0).toBe(0);
  return delivered['watchlists.alert-check'] ?? 0;
}

async function create(user: string, body: Json, key?: string) {
  return as(user, 'POST', '/v1/watchlists', { body, headers: key ? { 'Idempotency-Key': key } : {} });
}

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  const sys = await t.token('u_system', 't_system');
  const setup: Array<[string, string, unknown]> = [
    ['POST', '/v1/tenants', { tenantId: TENANT, name: 'Watchers' }],
    ['PUT', `/v1/routing/${TENANT}/dev/data`, { kind: 'data', mode: 'pooled', tableName: t.rt.tables.pooled }],
    ['PUT', `/v1/routing/${TENANT}/dev/market-data`, { kind: 'market-data', provider: 'none' }],
    ['POST', `/v1/tenants/${TENANT}/projects`, { projectId: PROJECT, name: 'Market data' }],
    ['PUT', `/v1/tenants/${TENANT}/members/u_mdadmin`, { roles: ['admin'], tier: 'sovereign' }],
  ];
  for (const user of ['u_owner', 'u_reader', 'u_editor', 'u_stranger']) {
    setup.push(['PUT', `/v1/tenants/${TENANT}/members/${user}`, { roles: ['viewer'], tier: 'sovereign' }]);
  }
  for (const [method, path, body] of setup) {
    const res = await t.call(method, path, { token: sys, body });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  }
  for (const user of ['u_owner', 'u_reader', 'u_editor', 'u_stranger', 'u_mdadmin']) {
    tokens[user] = await t.token(user, TENANT);
  }
  // u_admin is a member of t_demo only: another tenant's user
  tokens.u_foreign = await t.token('u_admin', 't_demo');
  await close('AAPL', '100');
  await close('MSFT', '300');
});
afterAll(async () => {
  await t.stop();
});

describe('watchlists: create, read, change, delete', () => {
  it('201 with Location and ETag; a replayed Idempotency-Key answers the first response', async () => {
    const made = await create('u_owner', { name: 'Tech' }, 'wl-create-1');
    expectStatus(made, 201);
    const id = String(made.body.watchlistId);
    expect(id).toMatch(/^wl_[0-9A-Z]{26}$/);
    expect(made.headers.get('location')).toBe(`/v1/watchlists/${id}`);
    expect(made.headers.get('etag')).toBe('"1"');
    expect(made.body).toMatchObject({ name: 'Tech', visibility: 'private', ownerId: 'u_owner', access: 'owner' });
    const again = await create('u_owner', { name: 'Tech' }, 'wl-create-1');
    expectStatus(again, 201);
    expect(again.body.watchlistId).toBe(id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await create('u_owner', { name: 'Not tech' }, 'wl-create-1');
    expectStatus(other, 422);
  });

  it('PATCH and DELETE need If-Match (428 without, 412 stale); each change is a version', async () => {
    const made = await create('u_owner', { name: 'Versions', description: 'first' });
    const path = `/v1/watchlists/${String(made.body.watchlistId)}`;
    expectStatus(await as('u_owner', 'PATCH', path, { body: { name: 'Renamed' } }), 428, 'IF_MATCH_REQUIRED');
    const patched = await as('u_owner', 'PATCH', path, {
      headers: { 'If-Match': '"1"' },
      body: { name: 'Renamed', description: null },
    });
    expectStatus(patched, 200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(patched.body).toMatchObject({ name: 'Renamed', version: 2 });
    expect(patched.body.description).toBeUndefined();
    expectStatus(
      await as('u_owner', 'PATCH', path, { headers: { 'If-Match': '"1"' }, body: { name: 'x' } }),
      412,
      'VERSION_MISMATCH',
    );
    const read = await as('u_owner', 'GET', path);
    expectStatus(read, 200);
    expect(read.headers.get('etag')).toBe('"2"');
    expectStatus(await as('u_owner', 'DELETE', path), 428);
    expectStatus(await as('u_owner', 'DELETE', path, { headers: { 'If-Match': '"1"' } }), 412);
    expectStatus(await as('u_owner', 'DELETE', path, { headers: { 'If-Match': '"2"' } }), 204);
    expectStatus(await as('u_owner', 'GET', path), 404, 'WATCHLIST_NOT_FOUND');
  });

  it('lists its own newest first in signed pages', async () => {
    for (const name of ['Page A', 'Page B', 'Page C']) expectStatus(await create('u_editor', { name }), 201);
    const first = await as('u_editor', 'GET', '/v1/watchlists?limit=2');
    expectStatus(first, 200);
    expect((first.body.items ?? []).map((w) => w.name)).toEqual(['Page C', 'Page B']);
    const next = await as('u_editor', 'GET', `/v1/watchlists?limit=2&cursor=${String(first.body.nextCursor)}`);
    expect((next.body.items ?? []).map((w) => w.name)).toEqual(['Page A']);
    expect(next.body.nextCursor).toBeNull();
  });

  it('bad input is 400 naming the field; no id route answers 500', async () => {
    expectField(await create('u_owner', { name: '' }), 'body.name');
    expectField(await create('u_owner', { name: 'x'.repeat(121) }), 'body.name');
    expectField(await create('u_owner', { name: 'ok', visibility: 'public' }), 'body.visibility');
    expectField(await create('u_owner', { name: 'ok', extra: 1 }), 'body.extra');
    expectField(await as('u_owner', 'GET', '/v1/watchlists/wl_nothex!'), 'params.watchlistId');
    expectField(await as('u_owner', 'GET', '/v1/watchlists?include=everyone'), 'query.include');
    const made = await create('u_owner', { name: 'Inputs' });
    const items = `/v1/watchlists/${String(made.body.watchlistId)}/items`;
    expectField(await as('u_owner', 'POST', items, { body: { symbol: 'aapl' } }), 'body.symbol');
    expectField(await as('u_owner', 'POST', items, { body: { symbol: 'AAPL', alertAbove: 'abc' } }), 'body.alertAbove');
    expectField(
      await as('u_owner', 'POST', items, { body: { symbol: 'AAPL', alertBelow: '0x10' } }),
      'body.alertBelow',
    );
    expectField(await as('u_owner', 'POST', items, { body: { symbol: 'AAPL', alertAbove: 12.5 } }), 'body.alertAbove');
    expectField(await as('u_owner', 'POST', items, { body: { symbol: 'AAPL', alertAbove: '-5' } }), 'body.alertAbove');
    expectField(await as('u_owner', 'POST', items, { body: { symbol: 'AAPL', alertAbove: '1e3' } }), 'body.alertAbove');
    expectField(
      await as('u_owner', 'PUT', `/v1/watchlists/${String(made.body.watchlistId)}/shares/u_reader`, {
        body: { access: 'admin' },
      }),
      'body.access',
    );
    expectField(
      await as('u_owner', 'PATCH', `${items}/AAPL`, { headers: { 'If-Match': '"1"' }, body: { note: 5 } }),
      'body.note',
    );
  });

  it('an API key has no user: 403 API_KEY_SCOPE', async () => {
    const key = await t.call('POST', '/v1/api-keys', {
      token: await t.token('u_admin', 't_demo'),
      headers: { 'X-Project-Id': 'p_demo' },
      body: { name: 'watchlist probe', projectId: 'p_demo', tier: 'observer', roles: ['viewer'] },
    });
    expectStatus(key, 201);
    const res = await t.call('GET', '/v1/watchlists', { apiKey: String(key.body.secret) });
    expectStatus(res, 403, 'API_KEY_SCOPE');
  });
});

describe('watchlist items', () => {
  it('come in symbol order with the latest price and its asOf; an unpriced symbol has a null quote', async () => {
    const made = await create('u_owner', { name: 'Quoted' });
    const items = `/v1/watchlists/${String(made.body.watchlistId)}/items`;
    for (const symbol of ['MSFT', 'AAPL', 'ZZZZ']) {
      const added = await as('u_owner', 'POST', items, {
        body: { symbol, note: `why ${symbol}` },
        headers: { 'Idempotency-Key': `item-${symbol}` },
      });
      expectStatus(added, 201);
      expect(added.headers.get('location')).toBe(`${items}/${symbol}`);
    }
    expectStatus(await as('u_owner', 'POST', items, { body: { symbol: 'AAPL' } }), 409, 'ITEM_EXISTS');
    const list = await as('u_owner', 'GET', items);
    expectStatus(list, 200);
    const rows = list.body.items ?? [];
    expect(rows.map((r) => r.symbol)).toEqual(['AAPL', 'MSFT', 'ZZZZ']);
    expect(rows[0].quote).toMatchObject({ price: '100', asOf: `${TODAY}T00:00:00.000Z`, source: 'candle' });
    expect(rows[1].quote).toMatchObject({ price: '300', asOf: `${TODAY}T00:00:00.000Z` });
    expect(rows[2].quote).toBeNull();
    // a page of one, then the next
    const page = await as('u_owner', 'GET', `${items}?limit=1`);
    expect(page.body.items).toHaveLength(1);
    const rest = await as('u_owner', 'GET', `${items}?limit=1&cursor=${String(page.body.nextCursor)}`);
    expectStatus(rest, 200);
    expect((rest.body.items ?? []).map((r) => r.symbol)).toEqual(['MSFT']);

    expectStatus(await as('u_owner', 'PATCH', `${items}/AAPL`, { body: { note: 'x' } }), 428);
    const patched = await as('u_owner', 'PATCH', `${items}/AAPL`, {
      headers: { 'If-Match': '"1"' },
      body: { note: null, alertBelow: '90.5' },
    });
    expectStatus(patched, 200);
    expect(patched.body).toMatchObject({ version: 2, alertBelow: '90.5', belowState: 'armed' });
    expect(patched.body.note).toBeUndefined();
    expectStatus(
      await as('u_owner', 'PATCH', `${items}/AAPL`, { headers: { 'If-Match': '"1"' }, body: { note: 'x' } }),
      412,
    );
    const cleared = await as('u_owner', 'PATCH', `${items}/AAPL`, {
      headers: { 'If-Match': '"2"' },
      body: { alertBelow: null },
    });
    expectStatus(cleared, 200);
    expect(cleared.body.alertBelow).toBeUndefined();
    expect(cleared.body.belowState).toBeUndefined();
    expectStatus(await as('u_owner', 'PATCH', `${items}/NOPE`, { headers: { 'If-Match': '"1"' }, body: {} }), 404);
    expectStatus(await as('u_owner', 'DELETE', `${items}/ZZZZ`, { headers: { 'If-Match': '"1"' } }), 204);
    const after = await as('u_owner', 'GET', items);
    expect((after.body.items ?? []).map((r) => r.symbol)).toEqual(['AAPL', 'MSFT']);
  });
});

describe('sharing', () => {
  const ids: Record<string, string> = {};
  const path = () => `/v1/watchlists/${ids.shared}`;

  beforeAll(async () => {
    const made = await create('u_owner', { name: 'Shared picks' });
    ids.shared = String(made.body.watchlistId);
    expectStatus(await as('u_owner', 'POST', `${path()}/items`, { body: { symbol: 'AAPL' } }), 201);
  });

  it('a private watchlist cannot be shared; a shared one goes to members of the same tenant only', async () => {
    expectStatus(
      await as('u_owner', 'PUT', `${path()}/shares/u_reader`, { body: { access: 'read' } }),
      409,
      'WATCHLIST_PRIVATE',
    );
    const opened = await as('u_owner', 'PATCH', path(), {
      headers: { 'If-Match': '"1"' },
      body: { visibility: 'shared' },
    });
    expectStatus(opened, 200);
    const read = await as('u_owner', 'PUT', `${path()}/shares/u_reader`, { body: { access: 'read' } });
    expectStatus(read, 201);
    expect(read.headers.get('location')).toBe(`${path()}/shares/u_reader`);
    expect(read.body).toMatchObject({ userId: 'u_reader', access: 'read', version: 1 });
    expectStatus(await as('u_owner', 'PUT', `${path()}/shares/u_editor`, { body: { access: 'read' } }), 201);
    const edit = await as('u_owner', 'PUT', `${path()}/shares/u_editor`, { body: { access: 'edit' } });
    expectStatus(edit, 200);
    expect(edit.body).toMatchObject({ access: 'edit', version: 2 });
    expectStatus(
      await as('u_owner', 'PUT', `${path()}/shares/u_editor`, {
        headers: { 'If-Match': '"1"' },
        body: { access: 'edit' },
      }),
      412,
    );
    // another tenant's user (u_admin is t_demo's), an unknown one and the owner: refused by rule
    for (const user of ['u_admin', 'u_nobody']) {
      expectStatus(
        await as('u_owner', 'PUT', `${path()}/shares/${user}`, { body: { access: 'read' } }),
        422,
        'SHARE_TARGET_NOT_MEMBER',
      );
    }
    expectStatus(
      await as('u_owner', 'PUT', `${path()}/shares/u_owner`, { body: { access: 'read' } }),
      422,
      'SHARE_WITH_SELF',
    );
    expectStatus(
      await as('u_owner', 'PATCH', path(), { headers: { 'If-Match': '"2"' }, body: { visibility: 'private' } }),
      409,
      'WATCHLIST_HAS_SHARES',
    );
  });

  it('read sees it and its items, changes nothing', async () => {
    const got = await as('u_reader', 'GET', path());
    expectStatus(got, 200);
    expect(got.body).toMatchObject({ access: 'read', ownerId: 'u_owner' });
    const items = await as('u_reader', 'GET', `${path()}/items`);
    expectStatus(items, 200);
    expect((items.body.items ?? []).map((i) => i.symbol)).toEqual(['AAPL']);
    expectStatus(
      await as('u_reader', 'POST', `${path()}/items`, { body: { symbol: 'MSFT' } }),
      403,
      'WATCHLIST_READ_ONLY',
    );
    expectStatus(
      await as('u_reader', 'PATCH', `${path()}/items/AAPL`, { headers: { 'If-Match': '"1"' }, body: { note: 'x' } }),
      403,
      'WATCHLIST_READ_ONLY',
    );
    expectStatus(
      await as('u_reader', 'PATCH', path(), { headers: { 'If-Match': '"2"' }, body: { name: 'Mine' } }),
      403,
      'WATCHLIST_OWNER_ONLY',
    );
  });

  it('edit changes items, never the name, the shares or the watchlist itself (403)', async () => {
    expectStatus(await as('u_editor', 'POST', `${path()}/items`, { body: { symbol: 'MSFT', note: 'editor' } }), 201);
    const patched = await as('u_editor', 'PATCH', `${path()}/items/AAPL`, {
      headers: { 'If-Match': '"1"' },
      body: { note: 'edited' },
    });
    expectStatus(patched, 200);
    expect(patched.body).toMatchObject({ note: 'edited', updatedBy: 'u_editor' });
    const refused: Array<[string, string, CallOptions]> = [
      ['PATCH', path(), { headers: { 'If-Match': '"2"' }, body: { name: 'Renamed by editor' } }],
      ['DELETE', path(), { headers: { 'If-Match': '"2"' } }],
      ['PUT', `${path()}/shares/u_stranger`, { body: { access: 'read' } }],
      ['DELETE', `${path()}/shares/u_reader`, {}],
    ];
    for (const [method, where, o] of refused) {
      expectStatus(await as('u_editor', method, where, o), 403, 'WATCHLIST_OWNER_ONLY');
    }
    expect((await as('u_owner', 'GET', path())).body.name).toBe('Shared picks');
  });

  it('a member who is neither owner nor sharee, and another tenant’s user, get 404 on every id route', async () => {
    const probes: Array<[string, string, CallOptions]> = [
      ['GET', path(), {}],
      ['PATCH', path(), { headers: { 'If-Match': '"2"' }, body: { name: 'x' } }],
      ['DELETE', path(), { headers: { 'If-Match': '"2"' } }],
      ['GET', `${path()}/items`, {}],
      ['POST', `${path()}/items`, { body: { symbol: 'VTI' } }],
      ['PATCH', `${path()}/items/AAPL`, { headers: { 'If-Match': '"2"' }, body: { note: 'x' } }],
      ['DELETE', `${path()}/items/AAPL`, { headers: { 'If-Match': '"2"' } }],
      ['PUT', `${path()}/shares/u_stranger`, { body: { access: 'edit' } }],
      ['DELETE', `${path()}/shares/u_reader`, {}],
    ];
    for (const user of ['u_stranger', 'u_foreign']) {
      for (const [method, where, o] of probes) {
        const res = await as(user, method, where, o);
        expect(res.status, `${user} ${method} ${where}: ${res.text}`).toBe(404);
        expect(res.body.code).toBe('WATCHLIST_NOT_FOUND');
      }
    }
    // nothing changed
    const items = await as('u_owner', 'GET', `${path()}/items`);
    expect((items.body.items ?? []).map((i) => i.symbol)).toEqual(['AAPL', 'MSFT']);
  });

  it('include=shared lists own and shared-with-me, each with the caller’s access', async () => {
    const mine = await create('u_reader', { name: 'Reader own' });
    expectStatus(mine, 201);
    const own = await as('u_reader', 'GET', '/v1/watchlists');
    expect((own.body.items ?? []).map((w) => [w.name, w.access])).toEqual([['Reader own', 'owner']]);
    const both = await as('u_reader', 'GET', '/v1/watchlists?include=shared');
    expect((both.body.items ?? []).map((w) => [w.name, w.access])).toEqual([
      ['Reader own', 'owner'],
      ['Shared picks', 'read'],
    ]);
    const editor = await as('u_editor', 'GET', '/v1/watchlists?include=shared&limit=200');
    expect((editor.body.items ?? []).find((w) => w.watchlistId === ids.shared)?.access).toBe('edit');
    const stranger = await as('u_stranger', 'GET', '/v1/watchlists?include=shared');
    expect(stranger.body.items).toEqual([]);
  });

  it('a withdrawn share is a 404 for its user; deleting the watchlist ends every share', async () => {
    expectStatus(await as('u_owner', 'DELETE', `${path()}/shares/u_reader`, { headers: { 'If-Match': '"9"' } }), 412);
    expectStatus(await as('u_owner', 'DELETE', `${path()}/shares/u_reader`), 204);
    expectStatus(await as('u_owner', 'DELETE', `${path()}/shares/u_reader`), 404, 'SHARE_NOT_FOUND');
    expectStatus(await as('u_reader', 'GET', path()), 404, 'WATCHLIST_NOT_FOUND');
    const current = await as('u_owner', 'GET', path());
    expectStatus(
      await as('u_owner', 'DELETE', path(), { headers: { 'If-Match': String(current.headers.get('etag')) } }),
      204,
    );
    expectStatus(await as('u_editor', 'GET', path()), 404, 'WATCHLIST_NOT_FOUND');
    const editor = await as('u_editor', 'GET', '/v1/watchlists?include=shared&limit=200');
    expect((editor.body.items ?? []).some((w) => w.watchlistId === ids.shared)).toBe(false);
  });
});

describe('alerts and notifications', () => {
  /** the owner's channels for watchlist alerts (their preferences: GET|PUT /v1/me/preferences) */
  async function alertChannels(channels: { email: boolean; push: boolean; sms: boolean }) {
    const current = await as('u_owner', 'GET', '/v1/me/preferences');
    expectStatus(current, 200);
    const { version: _v, updatedAt: _u, ...prefs } = current.body as Json & { notifications: Json };
    const put = await as('u_owner', 'PUT', '/v1/me/preferences', {
      headers: { 'If-Match': String(current.headers.get('etag')) },
      body: { ...prefs, notifications: { ...prefs.notifications, 'watchlist.alert': channels } },
    });
    expectStatus(put, 200);
  }

  it('a crossing notifies once however many refreshes it stays crossed, and again after it re-crosses', async () => {
    // by e-mail only, as the owner chose (the defaults are e-mail and push)
    await alertChannels({ email: true, push: false, sms: false });
    await close('AAPL', '100');
    const made = await create('u_owner', { name: 'Alerts', visibility: 'shared' });
    const id = String(made.body.watchlistId);
    expectStatus(await as('u_owner', 'PUT', `/v1/watchlists/${id}/shares/u_editor`, { body: { access: 'edit' } }), 201);
    // the editor sets the level; the owner is notified
    const added = await as('u_editor', 'POST', `/v1/watchlists/${id}/items`, {
      body: { symbol: 'AAPL', alertAbove: '150' },
    });
    expectStatus(added, 201);
    expect(added.body.aboveState).toBe('armed');
    const notifications = async () => (await as('u_owner', 'GET', '/v1/me/notifications')).body.items ?? [];
    const outbox = async () => {
      const res = await t.call('GET', `/_local/outbox?tenantId=${TENANT}&userId=u_owner`);
      expectStatus(res, 200);
      return (res.body.items ?? []) as Array<Json>;
    };

    expect(await nextTick()).toBe(1); // 100 < 150: armed, nothing sent
    expect(await notifications()).toEqual([]);

    await close('AAPL', '160');
    expect(await nextTick()).toBe(1);
    const first = await notifications();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'watchlist.alert',
      resource: `watchlists/${id}/items/AAPL`,
      deliveries: [{ channel: 'email', status: 'sent' }],
    });
    expect(String(first[0].subject)).toContain('AAPL');
    expect(String(first[0].body)).toContain('150');

    for (const price of ['170', '175', '175']) {
      await close('AAPL', price);
      expect(await nextTick()).toBe(1);
    }
    expect(await notifications()).toHaveLength(1);
    const crossed = await as('u_owner', 'GET', `/v1/watchlists/${id}/items`);
    expect(crossed.body.items?.[0]).toMatchObject({ aboveState: 'crossed', quote: { price: '175' } });

    await close('AAPL', '140'); // back under: re-armed, nothing sent
    expect(await nextTick()).toBe(1);
    expect(await notifications()).toHaveLength(1);
    await close('AAPL', '155');
    expect(await nextTick()).toBe(1);
    const second = await notifications();
    expect(second).toHaveLength(2);
    expect(String(second[0].subject)).toContain('155'); // newest first
    expect(String(second[1].subject)).toContain('160');

    const sent = await outbox();
    expect(sent.map((m) => [m.kind, m.channel, m.userId])).toEqual([
      ['watchlist.alert', 'email', 'u_owner'],
      ['watchlist.alert', 'email', 'u_owner'],
    ]);
    expect(sent.map((m) => m.notificationId)).toEqual([second[1].notificationId, second[0].notificationId]);
    // nobody else's: the editor and the other tenant see none of it
    expect((await as('u_editor', 'GET', '/v1/me/notifications')).body.items).toEqual([]);
    expect((await as('u_foreign', 'GET', '/v1/me/notifications')).body.items).toEqual([]);
    const page = await as('u_owner', 'GET', '/v1/me/notifications?limit=1');
    expect(page.body.items).toHaveLength(1);
    expect(typeof page.body.nextCursor).toBe('string');

    // a below level on the same item fires on its own side
    const item = crossed.body.items?.[0] as Json;
    const below = await as('u_owner', 'PATCH', `/v1/watchlists/${id}/items/AAPL`, {
      headers: { 'If-Match': `"${Number(item.version)}"` },
      body: { alertBelow: '120' },
    });
    expectStatus(below, 200);
    expect(below.body).toMatchObject({ aboveState: 'crossed', belowState: 'armed' });
    // the owner now wants alerts by SMS only: the next one goes by SMS, and only by SMS
    await alertChannels({ email: false, push: false, sms: true });
    await close('AAPL', '110');
    await nextTick();
    const third = await notifications();
    expect(third).toHaveLength(3);
    expect(String(third[0].subject)).toContain('fell to 110');
    expect(third[0].deliveries).toEqual([expect.objectContaining({ channel: 'sms', status: 'sent' })]);
    expect((await outbox()).map((m) => m.channel)).toEqual(['email', 'email', 'sms']);

    // no level left anywhere in the tenant: the check stops booking itself
    for (const [watchlist, symbol] of [[id, 'AAPL']]) {
      const current = await as('u_owner', 'GET', `/v1/watchlists/${watchlist}/items`);
      const v = Number(current.body.items?.[0].version);
      expectStatus(
        await as('u_owner', 'PATCH', `/v1/watchlists/${watchlist}/items/${symbol}`, {
          headers: { 'If-Match': `"${v}"` },
          body: { alertAbove: null, alertBelow: null },
        }),
        200,
      );
    }
    const leftover = await as('u_owner', 'GET', '/v1/watchlists?limit=200');
    for (const w of leftover.body.items ?? []) {
      const items = await as('u_owner', 'GET', `/v1/watchlists/${String(w.watchlistId)}/items?limit=200`);
      for (const i of items.body.items ?? []) expect(i.alertAbove ?? i.alertBelow).toBeUndefined();
    }
    await nextTick(); // the run booked before the change finds nothing, books nothing
    expect(await nextTick()).toBe(0);
  });
});
