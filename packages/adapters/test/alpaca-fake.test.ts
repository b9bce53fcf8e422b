import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlpacaOrderJson,
  FAKE_ALPACA_KEY_ID,
  FAKE_ALPACA_SECRET,
  type FakeAlpaca,
  startFakeAlpaca,
} from '../../local/src/fakes/alpaca.js';
import { deterministicQuote } from '../../local/src/fakes/prices.js';
import { Clock, NOW } from './support.js';

/**
 * The fake Alpaca itself, spoken to over raw HTTP: what the adapter tests lean on has to be
 * what Alpaca does (../../../../shared/VENDORS.md), or those tests prove nothing.
 */

const clock = new Clock();
let fake: FakeAlpaca;

beforeAll(async () => {
  fake = await startFakeAlpaca({ now: clock.read, price: () => '100.00' });
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.reset();
  clock.now = NOW;
});

const KEYS = { 'APCA-API-KEY-ID': FAKE_ALPACA_KEY_ID, 'APCA-API-SECRET-KEY': FAKE_ALPACA_SECRET };

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = KEYS,
  server: FakeAlpaca = fake,
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

const order = (over: Record<string, unknown> = {}) => ({
  symbol: 'AAPL',
  qty: '10',
  side: 'buy',
  type: 'market',
  time_in_force: 'day',
  ...over,
});

const post = async (over: Record<string, unknown> = {}) => call('POST', '/v2/orders', order(over));
const placed = async (over: Record<string, unknown> = {}) => {
  const answer = await post(over);
  expect(answer.status, answer.text).toBe(200);
  return answer.body as AlpacaOrderJson;
};

const DOCUMENTED_FIELDS = [
  'id',
  'client_order_id',
  'created_at',
  'updated_at',
  'submitted_at',
  'filled_at',
  'expired_at',
  'canceled_at',
  'failed_at',
  'replaced_at',
  'replaced_by',
  'replaces',
  'asset_id',
  'symbol',
  'asset_class',
  'notional',
  'qty',
  'filled_qty',
  'filled_avg_price',
  'order_class',
  'type',
  'side',
  'time_in_force',
  'limit_price',
  'stop_price',
  'status',
  'extended_hours',
  'legs',
  'trail_percent',
  'trail_price',
  'hwm',
];

describe('fake Alpaca: keys', () => {
  it('wants both headers right: anything else is 403 {"message":"forbidden."}', async () => {
    const tries: Record<string, string>[] = [
      {},
      { 'APCA-API-KEY-ID': FAKE_ALPACA_KEY_ID },
      { 'APCA-API-KEY-ID': FAKE_ALPACA_KEY_ID, 'APCA-API-SECRET-KEY': 'nope' },
      { 'APCA-API-KEY-ID': 'nope', 'APCA-API-SECRET-KEY': FAKE_ALPACA_SECRET },
    ];
    for (const headers of tries) {
      const answer = await call('GET', '/v2/account', undefined, headers);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ message: 'forbidden.' });
    }
    expect((await call('GET', '/v2/account')).status).toBe(200);
  });
});

describe('fake Alpaca: POST /v2/orders validates as Alpaca does', () => {
  it('an accepted order carries every documented field, nulls where absent, numbers as strings', async () => {
    const json = await placed({ type: 'limit', limit_price: '90' });
    expect(Object.keys(json).sort()).toEqual([...DOCUMENTED_FIELDS].sort());
    expect(json).toMatchObject({
      symbol: 'AAPL',
      qty: '10',
      filled_qty: '0',
      filled_avg_price: null,
      limit_price: '90',
      stop_price: null,
      notional: null,
      status: 'new',
      order_class: 'simple',
      asset_class: 'us_equity',
      legs: null,
      filled_at: null,
    });
    expect(json.client_order_id).toMatch(/^[0-9a-f-]{36}$/); // one is made up when none is given
    expect(json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('qty xor notional', async () => {
    expect((await post({ notional: '100' })).status).toBe(400);
    const neither = await call('POST', '/v2/orders', {
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
    });
    expect(neither.status).toBe(422);
    const notional = await placed({ qty: undefined, notional: '250' });
    expect(notional).toMatchObject({ qty: null, notional: '250', status: 'filled', filled_qty: '2.5' });
  });

  it('limit needs limit_price, stop needs stop_price, stop_limit both; a market order takes neither', async () => {
    expect((await post({ type: 'limit' })).status).toBe(422);
    expect((await post({ type: 'stop' })).status).toBe(422);
    expect((await post({ type: 'stop_limit', stop_price: '110' })).status).toBe(422);
    expect((await post({ type: 'stop_limit', limit_price: '110' })).status).toBe(422);
    expect((await post({ type: 'market', limit_price: '110' })).status).toBe(422);
    expect((await post({ type: 'stop_limit', stop_price: '110', limit_price: '111' })).status).toBe(200);
  });

  it('sub-penny prices → 422 (two decimals at $1 and above, four below)', async () => {
    const answer = await post({ type: 'limit', limit_price: '99.999' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 42210000, message: expect.stringContaining('sub-penny') });
    expect((await post({ symbol: 'PENNY', type: 'limit', limit_price: '0.1234' })).status).toBe(200);
    expect((await post({ symbol: 'PENNY', type: 'limit', limit_price: '0.12345' })).status).toBe(422);
  });

  it('fractional quantities are market day orders only', async () => {
    expect((await post({ qty: '0.5', type: 'limit', limit_price: '90' })).status).toBe(422);
    expect((await post({ qty: '0.5', time_in_force: 'gtc' })).status).toBe(422);
    expect((await placed({ qty: '0.5' })).filled_qty).toBe('0.5');
  });

  it('client_order_id: at most 48 characters, and never twice (422 40010001)', async () => {
    expect((await post({ client_order_id: 'x'.repeat(49) })).status).toBe(422);
    await placed({ client_order_id: 'x'.repeat(48) });
    const again = await post({ client_order_id: 'x'.repeat(48) });
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ code: 40010001, message: 'client_order_id must be unique' });
    expect(fake.orders()).toHaveLength(1);
  });

  it('a buy costing more than the buying power left → 403 with the figures', async () => {
    fake.setBuyingPower('1500');
    const answer = await post({ type: 'limit', limit_price: '200' });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      buying_power: '1500',
      code: 40310000,
      cost_basis: '2000',
      message: 'insufficient buying power',
    });
    expect(fake.orders()).toEqual([]);
  });

  it('open buys reserve buying power; a cancel gives it back; sells free it only when they fill', async () => {
    const power = async () => ((await call('GET', '/v2/account')).body as { buying_power: string }).buying_power;
    const resting = await placed({ type: 'limit', limit_price: '90' });
    expect(await power()).toBe('99100');
    expect((await call('DELETE', `/v2/orders/${resting.id}`)).status).toBe(204);
    expect(await power()).toBe('100000');
    await placed(); // 10 AAPL at 100
    expect(await power()).toBe('99000');
    const sell = await placed({ side: 'sell', type: 'limit', limit_price: '120' });
    expect(await power()).toBe('99000');
    fake.setPrice('AAPL', '121');
    expect((await call('GET', `/v2/orders/${sell.id}`)).body).toMatchObject({
      status: 'filled',
      filled_avg_price: '121',
    });
    expect(await power()).toBe('100210');
  });

  it('a sell of more than is held → 403 insufficient qty (shorting is off)', async () => {
    const answer = await post({ side: 'sell', qty: '1' });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      code: 40310000,
      message: expect.stringMatching(/^insufficient qty available/),
    });
  });

  it('ioc and fok orders that cannot fill on arrival are canceled', async () => {
    expect((await placed({ type: 'limit', limit_price: '90', time_in_force: 'ioc' })).status).toBe('canceled');
    expect((await placed({ type: 'limit', limit_price: '90', time_in_force: 'fok' })).status).toBe('canceled');
    expect((await placed({ type: 'limit', limit_price: '101', time_in_force: 'ioc' })).status).toBe('filled');
  });
});

describe('fake Alpaca: fills', () => {
  it('prices default to deterministicQuote at its clock', async () => {
    const plain = await startFakeAlpaca({ now: clock.read });
    try {
      const answer = await call('POST', '/v2/orders', order({ qty: '1' }), KEYS, plain);
      const expected = deterministicQuote('AAPL', new Date(NOW).toISOString()).price;
      expect((answer.body as AlpacaOrderJson).filled_avg_price).toBe(String(Number(expected)));
    } finally {
      await plain.close();
    }
  });

  it('a bracket: legs held until the entry fills, then the take-profit fills and the stop is canceled', async () => {
    const entry = await placed({
      type: 'limit',
      limit_price: '99',
      order_class: 'bracket',
      take_profit: { limit_price: '110' },
      stop_loss: { stop_price: '95' },
    });
    expect(entry.legs?.map((leg) => leg.status)).toEqual(['held', 'held']);
    fake.setPrice('AAPL', '98');
    const [afterEntry] = fake.orders();
    expect(afterEntry.status).toBe('filled');
    expect(afterEntry.legs?.map((leg) => leg.status)).toEqual(['new', 'new']);
    fake.setPrice('AAPL', '111');
    const [done] = fake.orders();
    expect(done.legs?.map((leg) => [leg.type, leg.status, leg.filled_avg_price])).toEqual([
      ['limit', 'filled', '111'],
      ['stop', 'canceled', null],
    ]);
    expect((await call('GET', '/v2/positions')).body).toEqual([]);
  });

  it('a bracket needs both legs, an oto exactly one', async () => {
    expect((await post({ order_class: 'bracket', take_profit: { limit_price: '110' } })).status).toBe(422);
    expect(
      (await post({ order_class: 'oto', take_profit: { limit_price: '110' }, stop_loss: { stop_price: '90' } })).status,
    ).toBe(422);
    expect((await post({ order_class: 'oto', stop_loss: { stop_price: '90' } })).status).toBe(200);
  });

  it('fill() partially then fully; reject() and expire() close open orders', async () => {
    const manual = await startFakeAlpaca({ now: clock.read, price: () => '50', autoFillMarket: false });
    try {
      const first = (await call('POST', '/v2/orders', order(), KEYS, manual)).body as AlpacaOrderJson;
      expect(first.status).toBe('new');
      expect(manual.fill(first.id, '4')).toMatchObject({
        status: 'partially_filled',
        filled_qty: '4',
        filled_avg_price: '50',
      });
      expect(manual.fill(first.id, undefined, '53')).toMatchObject({
        status: 'filled',
        filled_qty: '10',
        filled_avg_price: '51.8',
      });
      expect(() => manual.fill(first.id)).toThrow(/filled/);
      const second = (await call('POST', '/v2/orders', order(), KEYS, manual)).body as AlpacaOrderJson;
      expect(manual.reject(second.id)).toMatchObject({ status: 'rejected', failed_at: expect.any(String) });
      const third = (await call('POST', '/v2/orders', order(), KEYS, manual)).body as AlpacaOrderJson;
      expect(manual.expire(third.id)).toMatchObject({ status: 'expired', expired_at: expect.any(String) });
    } finally {
      await manual.close();
    }
  });
});

describe('fake Alpaca: reading and cancelling', () => {
  it('GET /v2/orders: open by default; closed, all; limit; after; newest first unless asc', async () => {
    const resting = await placed({ type: 'limit', limit_price: '90' });
    clock.advance(1000);
    const filled = await placed();
    const ids = async (query: string) =>
      ((await call('GET', `/v2/orders${query}`)).body as AlpacaOrderJson[]).map((json) => json.id);
    expect(await ids('')).toEqual([resting.id]);
    expect(await ids('?status=closed')).toEqual([filled.id]);
    expect(await ids('?status=all')).toEqual([filled.id, resting.id]);
    expect(await ids('?status=all&direction=asc')).toEqual([resting.id, filled.id]);
    expect(await ids('?status=all&limit=1')).toEqual([filled.id]);
    expect(await ids(`?status=all&after=${new Date(NOW + 500).toISOString()}`)).toEqual([filled.id]);
    expect((await call('GET', '/v2/orders?limit=501')).status).toBe(422);
  });

  it('by client order id, by id: the order or 404', async () => {
    const json = await placed({ client_order_id: 'mine-1' });
    expect((await call('GET', '/v2/orders:by_client_order_id?client_order_id=mine-1')).body).toEqual(json);
    expect((await call('GET', `/v2/orders/${json.id}`)).body).toEqual(json);
    expect((await call('GET', '/v2/orders:by_client_order_id?client_order_id=other')).status).toBe(404);
    expect((await call('GET', '/v2/orders/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('DELETE: 204 with no body for an open order, 422 42210000 once it is done', async () => {
    const resting = await placed({ type: 'limit', limit_price: '90' });
    const cancelled = await call('DELETE', `/v2/orders/${resting.id}`);
    expect(cancelled.status).toBe(204);
    expect(cancelled.text).toBe('');
    expect((await call('GET', `/v2/orders/${resting.id}`)).body).toMatchObject({ status: 'canceled' });
    const again = await call('DELETE', `/v2/orders/${resting.id}`);
    expect(again.status).toBe(422);
    expect(again.body).toEqual({ code: 42210000, message: 'order is not cancelable' });
  });

  it('PATCH replaces: a new order with the new limit, the old one replaced', async () => {
    const resting = await placed({ type: 'limit', limit_price: '90' });
    const answer = await call('PATCH', `/v2/orders/${resting.id}`, { limit_price: '91' });
    expect(answer.status).toBe(200);
    const next = answer.body as AlpacaOrderJson;
    expect(next).toMatchObject({ replaces: resting.id, limit_price: '91', status: 'new' });
    expect((await call('GET', `/v2/orders/${resting.id}`)).body).toMatchObject({
      status: 'replaced',
      replaced_by: next.id,
    });
  });

  it('positions: the list, one by symbol, 404 {"code":40410000} for none', async () => {
    await placed({ qty: '3' });
    const list = (await call('GET', '/v2/positions')).body as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      symbol: 'AAPL',
      qty: '3',
      side: 'long',
      avg_entry_price: '100',
      market_value: '300',
    });
    expect((await call('GET', '/v2/positions/AAPL')).body).toEqual(list[0]);
    const none = await call('GET', '/v2/positions/MSFT');
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ code: 40410000, message: 'position does not exist' });
  });

  it('the account: $100k in strings by default', async () => {
    const account = (await call('GET', '/v2/account')).body as Record<string, unknown>;
    expect(account).toMatchObject({
      currency: 'USD',
      cash: '100000',
      equity: '100000',
      portfolio_value: '100000',
      buying_power: '100000',
      trading_blocked: false,
      account_blocked: false,
    });
  });
});

describe('fake Alpaca: failures on demand', () => {
  it('counts every POST /v2/orders, scripted ones too; reset() forgets it all', async () => {
    fake.script({ path: '/v2/orders', times: 1, respond: { status: 500, body: {} } });
    await post();
    await post();
    expect(fake.ordersPosted()).toBe(2);
    expect(fake.orders()).toHaveLength(1);
    fake.reset();
    expect(fake.ordersPosted()).toBe(0);
    expect(fake.orders()).toEqual([]);
  });

  it('server-error answers a 500 and places nothing; server-error-after-accept places it first', async () => {
    fake.failNext('server-error');
    expect((await post()).status).toBe(500);
    expect(fake.orders()).toEqual([]);
    fake.failNext('server-error-after-accept');
    expect((await post()).status).toBe(500);
    expect(fake.orders()).toHaveLength(1);
  });

  it('rate-limit answers 429 to any request, as many times as asked', async () => {
    fake.failNext('rate-limit', 2);
    expect((await call('GET', '/v2/account')).status).toBe(429);
    expect((await call('GET', '/v2/positions')).status).toBe(429);
    expect((await call('GET', '/v2/account')).status).toBe(200);
  });

  it('Alpaca’s own 200 a minute, when asked for', async () => {
    const limited = await startFakeAlpaca({ now: clock.read, requestsPerMinute: 2 });
    try {
      const status = async () => (await call('GET', '/v2/account', undefined, KEYS, limited)).status;
      expect([await status(), await status(), await status()]).toEqual([200, 200, 429]);
      clock.advance(60_000);
      expect(await status()).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('timeout-after-accept: the order is placed, the answer held; closing the server does not wait for it', {
    timeout: 10_000,
  }, async () => {
    const holding = await startFakeAlpaca({ now: clock.read, price: () => '100' });
    holding.failNext('timeout-after-accept');
    const pending = call('POST', '/v2/orders', order(), KEYS, holding).then(
      () => 'answered',
      () => 'dropped',
    );
    for (let i = 0; i < 100 && holding.orders().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(holding.orders()).toHaveLength(1);
    await holding.close();
    expect(await pending).toBe('dropped');
  });
});
