import { type BrokerDeps, BrokerError, type BrokerOrderRequest } from '@ballast/app/trading/broker.js';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_ALPACA_KEY_ID,
  FAKE_ALPACA_SECRET,
  type FakeAlpaca,
  startFakeAlpaca,
} from '../../local/src/fakes/alpaca.js';
import { createAlpaca } from '../src/brokers/alpaca/index.js';
import { stateOf } from '../src/brokers/alpaca/wire.js';
import { BROKERS } from '../src/brokers/index.js';
import { Clock, failureOf, keyNeverInUrl, NOW, sleeper } from './support.js';

const clock = new Clock();
let fake: FakeAlpaca;
let manual: FakeAlpaca;

beforeAll(async () => {
  fake = await startFakeAlpaca({ now: clock.read, price: () => '100.00' });
  manual = await startFakeAlpaca({ now: clock.read, price: () => '100.00', autoFillMarket: false });
});

afterAll(async () => {
  // every request of the file, whatever it was: the keys travelled in headers only
  for (const server of [fake, manual]) {
    keyNeverInUrl(server.requests, FAKE_ALPACA_KEY_ID);
    keyNeverInUrl(server.requests, FAKE_ALPACA_SECRET);
  }
  await fake.close();
  await manual.close();
});

afterEach(() => {
  fake.reset();
  manual.reset();
  clock.now = NOW;
});

interface Made {
  server?: FakeAlpaca;
  keyId?: string;
  secretKey?: string;
  options?: Record<string, unknown>;
  deps?: BrokerDeps;
}

function broker(made: Made = {}) {
  const { sleeps, sleep } = sleeper(clock);
  const built = createAlpaca(
    {
      endpoint: 'paper',
      baseUrl: (made.server ?? fake).url,
      keyId: made.keyId ?? FAKE_ALPACA_KEY_ID,
      secretKey: made.secretKey ?? FAKE_ALPACA_SECRET,
      options: made.options,
    },
    { now: clock.read, sleep, ...made.deps },
  );
  return Object.assign(built, { sleeps });
}

const clientId = () => `ballast-${randomBytes(8).toString('hex')}`;

const marketBuy = (over: Partial<BrokerOrderRequest> = {}): BrokerOrderRequest => ({
  clientOrderId: clientId(),
  symbol: 'AAPL',
  side: 'buy',
  type: 'market',
  quantity: '10',
  timeInForce: 'day',
  ...over,
});

async function brokerErrorOf(promise: Promise<unknown>): Promise<BrokerError> {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(BrokerError);
  return error as BrokerError;
}

/** the requests the fake got since `from`, as "METHOD path" */
const since = (server: FakeAlpaca, from: number) =>
  server.requests.slice(from).map((request) => `${request.method} ${request.path}`);

describe('Alpaca adapter: the registry and its endpoints', () => {
  it('is registered as `alpaca`, and names itself so', () => {
    const built = BROKERS.alpaca({ endpoint: 'paper', baseUrl: fake.url, keyId: 'k', secretKey: 's' });
    expect(built.name).toBe('alpaca');
  });

  it('paper and live have their own hosts; baseUrl overrides both; the keys go in the two headers only', async () => {
    const seen: { url: string; headers: Headers }[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), headers: new Headers(init?.headers) });
      return new Response(JSON.stringify({ cash: '1', equity: '1', buying_power: '1' }), { status: 200 });
    };
    const settings = { keyId: 'PKTESTKEYID', secretKey: 'TESTSECRETVALUE' } as const;
    await createAlpaca({ ...settings, endpoint: 'paper' }, { fetch: recording }).account();
    await createAlpaca({ ...settings, endpoint: 'live' }, { fetch: recording }).account();
    await createAlpaca(
      { ...settings, endpoint: 'live', baseUrl: 'http://127.0.0.1:9/' },
      { fetch: recording },
    ).account();
    expect(seen.map((request) => request.url)).toEqual([
      'https://paper-api.alpaca.markets/v2/account',
      'https://api.alpaca.markets/v2/account',
      'http://127.0.0.1:9/v2/account',
    ]);
    for (const request of seen) {
      expect(request.headers.get('APCA-API-KEY-ID')).toBe('PKTESTKEYID');
      expect(request.headers.get('APCA-API-SECRET-KEY')).toBe('TESTSECRETVALUE');
      expect(request.url).not.toContain('PKTESTKEYID');
      expect(request.url).not.toContain('TESTSECRETVALUE');
    }
  });
});

describe('Alpaca adapter: placing orders', () => {
  it('over real HTTP, no call of any kind puts a key in its URL', async () => {
    const before = fake.requests.length;
    const alpaca = broker();
    const placed = await alpaca.submitOrder(marketBuy({ type: 'limit', limitPrice: '90' }));
    await alpaca.order(placed.brokerOrderId);
    await alpaca.orderByClientId(placed.clientOrderId);
    await alpaca.cancelOrder(placed.brokerOrderId);
    await alpaca.account();
    await alpaca.positions();
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(6);
    keyNeverInUrl(sent, FAKE_ALPACA_KEY_ID);
    keyNeverInUrl(sent, FAKE_ALPACA_SECRET);
  });

  it('a market order sends Alpaca’s body (qty as a string) and maps the immediate fill', async () => {
    const before = fake.requests.length;
    const request = marketBuy({ quantity: '10' });
    const order = await broker().submitOrder(request);
    const [post] = fake.requests.slice(before);
    expect(`${post.method} ${post.path}`).toBe('POST /v2/orders');
    expect(post.json).toEqual({
      symbol: 'AAPL',
      qty: '10',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
      client_order_id: request.clientOrderId,
    });
    expect(post.headers['apca-api-key-id']).toBe(FAKE_ALPACA_KEY_ID);
    expect(post.headers['apca-api-secret-key']).toBe(FAKE_ALPACA_SECRET);
    const [held] = fake.orders();
    expect(order).toEqual({
      brokerOrderId: held.id,
      clientOrderId: request.clientOrderId,
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      venueStatus: 'filled',
      state: 'filled',
      quantity: '10',
      filledQuantity: '10',
      filledAveragePrice: '100',
      // Alpaca's microseconds, as ISO 8601 UTC
      submittedAt: new Date(NOW).toISOString(),
      updatedAt: new Date(NOW).toISOString(),
      filledAt: new Date(NOW).toISOString(),
    });
    expect(held.submitted_at).toBe('2030-01-15T22:00:00.000000Z');
  });

  it('limit, stop and stop-limit orders carry their prices; nothing the request did not say', async () => {
    const before = fake.requests.length;
    await broker().submitOrder(marketBuy({ type: 'limit', limitPrice: '95.5', timeInForce: 'gtc' }));
    await broker().submitOrder(marketBuy({ type: 'stop', stopPrice: '110' }));
    await broker().submitOrder(marketBuy({ type: 'stop_limit', stopPrice: '110', limitPrice: '111.25' }));
    const bodies = fake.requests
      .slice(before)
      .filter((request) => request.method === 'POST')
      .map((request) => request.json as Record<string, unknown>);
    expect(bodies.map(({ client_order_id: _, ...rest }) => rest)).toEqual([
      { symbol: 'AAPL', qty: '10', side: 'buy', type: 'limit', time_in_force: 'gtc', limit_price: '95.5' },
      { symbol: 'AAPL', qty: '10', side: 'buy', type: 'stop', time_in_force: 'day', stop_price: '110' },
      {
        symbol: 'AAPL',
        qty: '10',
        side: 'buy',
        type: 'stop_limit',
        time_in_force: 'day',
        limit_price: '111.25',
        stop_price: '110',
      },
    ]);
  });

  it('take-profit with stop-loss is a bracket; either alone is oto', async () => {
    const before = fake.requests.length;
    const bracket = await broker().submitOrder(
      marketBuy({
        type: 'limit',
        limitPrice: '99',
        takeProfit: { limitPrice: '120' },
        stopLoss: { stopPrice: '90', limitPrice: '89.5' },
      }),
    );
    await broker().submitOrder(marketBuy({ type: 'limit', limitPrice: '99', stopLoss: { stopPrice: '90' } }));
    await broker().submitOrder(marketBuy({ takeProfit: { limitPrice: '120' } }));
    const [first, second, third] = fake.requests
      .slice(before)
      .filter((request) => request.method === 'POST')
      .map((request) => request.json as Record<string, unknown>);
    expect(first).toMatchObject({
      order_class: 'bracket',
      take_profit: { limit_price: '120' },
      stop_loss: { stop_price: '90', limit_price: '89.5' },
    });
    expect(second).toMatchObject({ order_class: 'oto', stop_loss: { stop_price: '90' } });
    expect(second).not.toHaveProperty('take_profit');
    expect((second.stop_loss as Record<string, unknown>).limit_price).toBeUndefined();
    expect(third).toMatchObject({ order_class: 'oto', take_profit: { limit_price: '120' } });
    expect(third).not.toHaveProperty('stop_loss');
    // the fake took it as Alpaca would: an entry resting, two held legs
    expect(bracket.state).toBe('submitted');
    const held = fake.orders().find((order) => order.id === bracket.brokerOrderId);
    expect(held?.legs?.map((leg) => [leg.side, leg.type, leg.status])).toEqual([
      ['sell', 'limit', 'held'],
      ['sell', 'stop_limit', 'held'],
    ]);
  });

  it('a limit order rests (`new` → submitted) until the price crosses it, then fills at that price', async () => {
    const alpaca = broker();
    const placed = await alpaca.submitOrder(marketBuy({ type: 'limit', limitPrice: '95', timeInForce: 'gtc' }));
    expect(placed).toMatchObject({ venueStatus: 'new', state: 'submitted', filledQuantity: '0', limitPrice: '95' });
    expect(placed.filledAveragePrice).toBeUndefined();
    expect(placed.filledAt).toBeUndefined();
    fake.setPrice('AAPL', '96');
    expect((await alpaca.order(placed.brokerOrderId))?.state).toBe('submitted');
    clock.advance(60_000);
    fake.setPrice('AAPL', '94.9');
    const filled = await alpaca.order(placed.brokerOrderId);
    expect(filled).toMatchObject({
      state: 'filled',
      venueStatus: 'filled',
      filledQuantity: '10',
      filledAveragePrice: '94.9',
      filledAt: new Date(NOW + 60_000).toISOString(),
    });
    expect(await alpaca.orderByClientId(placed.clientOrderId)).toEqual(filled);
  });

  it('partial fills: partially_filled with what filled and its average, then filled', async () => {
    const alpaca = broker({ server: manual });
    const placed = await alpaca.submitOrder(marketBuy({ quantity: '10' }));
    expect(placed.state).toBe('submitted');
    manual.fill(placed.brokerOrderId, '3', '101.50');
    const partial = await alpaca.order(placed.brokerOrderId);
    expect(partial).toMatchObject({
      state: 'partially_filled',
      venueStatus: 'partially_filled',
      quantity: '10',
      filledQuantity: '3',
      filledAveragePrice: '101.5',
    });
    expect(partial?.filledAt).toBeUndefined();
    manual.fill(placed.brokerOrderId, '7', '102');
    expect(await alpaca.order(placed.brokerOrderId)).toMatchObject({
      state: 'filled',
      filledQuantity: '10',
      filledAveragePrice: '101.85', // (3 × 101.50 + 7 × 102) / 10
    });
  });

  it('rejected and expired orders read as such', async () => {
    const alpaca = broker({ server: manual });
    const first = await alpaca.submitOrder(marketBuy());
    const second = await alpaca.submitOrder(marketBuy());
    manual.reject(first.brokerOrderId);
    manual.expire(second.brokerOrderId);
    expect((await alpaca.order(first.brokerOrderId))?.state).toBe('rejected');
    expect((await alpaca.order(second.brokerOrderId))?.state).toBe('expired');
  });

  it('refuses what it cannot send, without calling (client id over 48, a quantity that is no decimal)', async () => {
    const hits = fake.hits();
    const alpaca = broker();
    expect((await brokerErrorOf(alpaca.submitOrder(marketBuy({ clientOrderId: 'x'.repeat(49) })))).kind).toBe(
      'bad-request',
    );
    expect((await brokerErrorOf(alpaca.submitOrder(marketBuy({ quantity: '1e3' })))).kind).toBe('bad-request');
    expect((await brokerErrorOf(alpaca.submitOrder(marketBuy({ quantity: '0' })))).kind).toBe('bad-request');
    expect(fake.hits()).toBe(hits);
  });
});

describe('Alpaca adapter: refusals', () => {
  it('insufficient buying power → insufficient-buying-power with the broker’s words and figures', async () => {
    fake.setBuyingPower('1000');
    const error = await brokerErrorOf(broker().submitOrder(marketBuy({ type: 'limit', limitPrice: '500' })));
    expect(error.kind).toBe('insufficient-buying-power');
    expect(error.retryable).toBe(false);
    expect(error.options.status).toBe(403);
    expect(error.options.vendorCode).toBe(40310000);
    expect(error.message).toContain('insufficient buying power');
    expect(error.message).toContain('buying_power 1000');
    expect(error.message).toContain('cost_basis 5000');
    expect(fake.orders()).toEqual([]);
  });

  it('a sell of more than is held is insufficient too (insufficient qty)', async () => {
    const error = await brokerErrorOf(broker().submitOrder(marketBuy({ side: 'sell', quantity: '5' })));
    expect(error.kind).toBe('insufficient-buying-power');
    expect(error.message).toMatch(/insufficient qty available/);
  });

  it('the scripted buying-power refusal (failNext) reads the same, and places nothing', async () => {
    fake.failNext('reject-buying-power');
    const error = await brokerErrorOf(broker().submitOrder(marketBuy()));
    expect(error.kind).toBe('insufficient-buying-power');
    expect(fake.orders()).toEqual([]);
    expect(fake.ordersPosted()).toBe(1);
  });

  it('a 422 (sub-penny price) is rejected, with Alpaca’s message, and is not re-sent', async () => {
    const error = await brokerErrorOf(broker().submitOrder(marketBuy({ type: 'limit', limitPrice: '99.999' })));
    expect(error.kind).toBe('rejected');
    expect(error.options.status).toBe(422);
    expect(error.message).toContain('sub-penny');
    expect(fake.ordersPosted()).toBe(1);
  });

  it('another 403 with a code is rejected; 403 "forbidden." and 401 are unauthorized', async () => {
    fake.script({
      path: '/v2/orders',
      times: 1,
      respond: { status: 403, body: { code: 40310000, message: 'potential wash trade detected' } },
    });
    const washed = await brokerErrorOf(broker().submitOrder(marketBuy()));
    expect(washed.kind).toBe('rejected');
    expect(washed.message).toContain('wash trade');
    fake.script({ path: '/v2/account', times: 1, respond: { status: 401, body: { code: 40110000, message: 'no' } } });
    expect((await brokerErrorOf(broker().account())).kind).toBe('unauthorized');
  });

  it('bad keys → unauthorized, and the message carries no key', async () => {
    const wrongSecret = 'WRONG-SECRET-0123456789';
    const error = await brokerErrorOf(broker({ secretKey: wrongSecret }).account());
    expect(error.kind).toBe('unauthorized');
    expect(error.options.status).toBe(403);
    expect(error.message).not.toContain(wrongSecret);
    const orderError = await brokerErrorOf(broker({ keyId: 'PKWRONGKEY000' }).submitOrder(marketBuy()));
    expect(orderError.kind).toBe('unauthorized');
    expect(fake.orders()).toEqual([]);
  });

  it('messages are at most 200 characters and never echo a key', async () => {
    fake.script({
      path: '/v2/account',
      times: 1,
      respond: { status: 422, body: { code: 40010000, message: `bad key ${FAKE_ALPACA_SECRET} ${'x'.repeat(300)}` } },
    });
    const error = await brokerErrorOf(broker().account());
    expect(error.message.length).toBeLessThanOrEqual(200);
    expect(error.message).not.toContain(FAKE_ALPACA_SECRET);
    expect(error.message).toContain('[redacted]');
  });
});

describe('Alpaca adapter: one order, whatever the network does', () => {
  it('timeout after the broker accepted: looked up by client id, the ONE order returned', async () => {
    fake.failNext('timeout-after-accept');
    const before = fake.requests.length;
    const request = marketBuy();
    const order = await broker({ options: { timeoutMs: 200 } }).submitOrder(request);
    expect(fake.orders()).toHaveLength(1);
    expect(order.brokerOrderId).toBe(fake.orders()[0].id);
    expect(order).toMatchObject({ clientOrderId: request.clientOrderId, state: 'filled' });
    expect(fake.ordersPosted()).toBe(1);
    expect(since(fake, before)).toEqual(['POST /v2/orders', 'GET /v2/orders:by_client_order_id']);
    expect(fake.requests.at(-1)?.query.get('client_order_id')).toBe(request.clientOrderId);
  });

  it('a 5xx before the order was taken: not found by client id, so sent again with the same id — once', async () => {
    fake.failNext('server-error');
    const before = fake.requests.length;
    const request = marketBuy();
    const order = await broker().submitOrder(request);
    expect(since(fake, before)).toEqual(['POST /v2/orders', 'GET /v2/orders:by_client_order_id', 'POST /v2/orders']);
    const posts = fake.requests.slice(before).filter((r) => r.method === 'POST');
    expect(posts.map((post) => (post.json as { client_order_id: string }).client_order_id)).toEqual([
      request.clientOrderId,
      request.clientOrderId,
    ]);
    expect(fake.orders()).toHaveLength(1);
    expect(order.brokerOrderId).toBe(fake.orders()[0].id);
  });

  it('a 5xx after the order was taken: found by client id, never sent twice', async () => {
    fake.failNext('server-error-after-accept');
    const order = await broker().submitOrder(marketBuy());
    expect(fake.ordersPosted()).toBe(1);
    expect(fake.orders()).toHaveLength(1);
    expect(order.brokerOrderId).toBe(fake.orders()[0].id);
  });

  it('a dropped connection is looked up as well, then re-sent', async () => {
    fake.script({ path: '/v2/orders', times: 1, respond: { status: 200, dropConnection: true } });
    const order = await broker().submitOrder(marketBuy());
    expect(fake.ordersPosted()).toBe(2);
    expect(fake.orders()).toHaveLength(1);
    expect(order.state).toBe('filled');
  });

  it('an unreadable 2xx to the POST is ambiguous too: looked up, not trusted, not crashed on', async () => {
    fake.script({ path: '/v2/orders', times: 1, respond: { status: 200, body: '<html>oops</html>' } });
    const order = await broker().submitOrder(marketBuy());
    expect(fake.orders()).toHaveLength(1);
    expect(order.brokerOrderId).toBe(fake.orders()[0].id);
  });

  it('a broker that keeps failing gets 3 POSTs in all, then unavailable (retryable)', async () => {
    fake.failNext('server-error', 100);
    const error = await brokerErrorOf(broker().submitOrder(marketBuy()));
    expect(error.kind).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(fake.ordersPosted()).toBe(3);
    expect(fake.orders()).toEqual([]);
  });

  it('a reused client id answers the order that holds it (the broker’s 422 40010001), one order held', async () => {
    const alpaca = broker();
    const request = marketBuy();
    const first = await alpaca.submitOrder(request);
    const again = await alpaca.submitOrder({ ...request, quantity: '3' });
    expect(again).toEqual(first);
    expect(fake.ordersPosted()).toBe(2);
    expect(fake.orders()).toHaveLength(1);
  });

  it('a duplicate the broker cannot show is duplicate-client-order-id', async () => {
    fake.failNext('duplicate');
    const error = await brokerErrorOf(broker().submitOrder(marketBuy()));
    expect(error.kind).toBe('duplicate-client-order-id');
    expect(error.options.vendorCode).toBe(40010001);
  });
});

describe('Alpaca adapter: rate limits', () => {
  it('429 with Retry-After: waits what it says, then succeeds', async () => {
    fake.script({
      path: '/v2/account',
      times: 2,
      respond: {
        status: 429,
        headers: { 'Retry-After': '2' },
        body: { code: 42910000, message: 'rate limit exceeded' },
      },
    });
    const alpaca = broker();
    const account = await alpaca.account();
    expect(account.cash).toBe('100000');
    expect(alpaca.sleeps).toEqual([2000, 2000]);
    expect(fake.hits('/v2/account')).toBeGreaterThanOrEqual(3);
  });

  it('429 without Retry-After: exponential backoff with jitter, then succeeds (a POST too, placed once)', async () => {
    fake.failNext('rate-limit', 3);
    const alpaca = broker();
    const order = await alpaca.submitOrder(marketBuy());
    expect(order.state).toBe('filled');
    expect(alpaca.sleeps).toHaveLength(3);
    const [a, b, c] = alpaca.sleeps;
    expect(a).toBeGreaterThanOrEqual(250);
    expect(a).toBeLessThanOrEqual(500);
    expect(b).toBeGreaterThanOrEqual(500);
    expect(b).toBeLessThanOrEqual(1000);
    expect(c).toBeGreaterThanOrEqual(1000);
    expect(c).toBeLessThanOrEqual(2000);
    expect(fake.orders()).toHaveLength(1);
  });

  it('persistent 429 → rate-limited after 3 retries, with retryAfterMs', async () => {
    fake.failNext('rate-limit', 100);
    const alpaca = broker();
    const before = fake.requests.length;
    const error = await brokerErrorOf(alpaca.positions());
    expect(error.kind).toBe('rate-limited');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.options.vendorCode).toBe(42910000);
    expect(alpaca.sleeps).toHaveLength(3);
    expect(fake.requests.length - before).toBe(4);
  });

  it('a Retry-After longer than 10 s is not slept on: rate-limited at once, saying how long', async () => {
    fake.script({ path: '/v2/account', times: 1, respond: { status: 429, headers: { 'Retry-After': '30' } } });
    const alpaca = broker();
    const error = await brokerErrorOf(alpaca.account());
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(30_000);
    expect(alpaca.sleeps).toEqual([]);
  });

  it('keeps its own budget a minute: waits for a slot within 10 s, refuses a longer wait unsent', async () => {
    const alpaca = broker({ options: { requestsPerMinute: 2 } });
    await alpaca.account();
    clock.advance(55_000);
    await alpaca.account();
    clock.advance(1_000);
    await alpaca.account(); // the first leaves the window 4 s later
    expect(alpaca.sleeps).toEqual([4_000]);
    const hits = fake.hits('/v2/account');
    const error = await brokerErrorOf(alpaca.account()); // the next slot frees 55 s on
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(55_000);
    expect(fake.hits('/v2/account')).toBe(hits);
  });
});

describe('Alpaca adapter: reads and cancels', () => {
  it('unknown orders are undefined, by id and by client id', async () => {
    const alpaca = broker();
    expect(await alpaca.order('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await alpaca.orderByClientId('never-used')).toBeUndefined();
  });

  it('cancel: an open order goes (204); a filled one is not-cancelable; an unknown one not-found', async () => {
    const alpaca = broker();
    const resting = await alpaca.submitOrder(marketBuy({ type: 'limit', limitPrice: '90' }));
    await alpaca.cancelOrder(resting.brokerOrderId);
    expect(await alpaca.order(resting.brokerOrderId)).toMatchObject({ state: 'cancelled', venueStatus: 'canceled' });
    const filled = await alpaca.submitOrder(marketBuy());
    const refused = await brokerErrorOf(alpaca.cancelOrder(filled.brokerOrderId));
    expect(refused.kind).toBe('not-cancelable');
    expect(refused.options.vendorCode).toBe(42210000);
    const missing = await brokerErrorOf(alpaca.cancelOrder('00000000-0000-4000-8000-000000000000'));
    expect(missing.kind).toBe('not-found');
  });

  it('the account: Alpaca’s strings mapped, cash moved by a fill', async () => {
    const alpaca = broker();
    expect(await alpaca.account()).toEqual({
      accountNumber: 'PA3FAKELOCAL',
      currency: 'USD',
      cash: '100000',
      equity: '100000',
      buyingPower: '100000',
      tradingBlocked: false,
    });
    await alpaca.submitOrder(marketBuy({ quantity: '10' }));
    expect(await alpaca.account()).toMatchObject({ cash: '99000', equity: '100000', buyingPower: '99000' });
  });

  it('an account blocked either way is tradingBlocked', async () => {
    fake.script({
      path: '/v2/account',
      times: 1,
      respond: { status: 200, body: { cash: '1', equity: '1', buying_power: '0', account_blocked: true } },
    });
    expect((await broker().account()).tradingBlocked).toBe(true);
  });

  it('positions: one per symbol, as Alpaca sends them', async () => {
    const alpaca = broker();
    expect(await alpaca.positions()).toEqual([]);
    await alpaca.submitOrder(marketBuy({ quantity: '10' }));
    fake.setPrice('AAPL', '110');
    await alpaca.submitOrder(marketBuy({ quantity: '10' }));
    expect(await alpaca.positions()).toEqual([
      {
        symbol: 'AAPL',
        quantity: '20',
        side: 'long',
        averageEntryPrice: '105',
        marketValue: '2200',
        currentPrice: '110',
      },
    ]);
  });

  it('a malformed answer is unavailable, never a crash', async () => {
    const alpaca = broker();
    fake.script({ path: '/v2/account', times: 1, respond: { status: 200, body: 'not json at all' } });
    expect((await brokerErrorOf(alpaca.account())).kind).toBe('unavailable');
    fake.script({ path: '/v2/account', times: 1, respond: { status: 200, body: { cash: 12, equity: null } } });
    expect((await brokerErrorOf(alpaca.account())).kind).toBe('unavailable');
    fake.script({ path: '/v2/positions', times: 1, respond: { status: 200, body: { positions: [] } } });
    expect((await brokerErrorOf(alpaca.positions())).kind).toBe('unavailable');
    const placed = await alpaca.submitOrder(marketBuy());
    fake.script({ path: /^\/v2\/orders\//, times: 1, respond: { status: 200, body: { id: placed.brokerOrderId } } });
    expect((await brokerErrorOf(alpaca.order(placed.brokerOrderId))).kind).toBe('unavailable');
  });

  it('5xx and timeouts on reads are unavailable', async () => {
    fake.failNext('server-error');
    expect((await brokerErrorOf(broker().account())).kind).toBe('unavailable');
    fake.script({ path: '/v2/positions', times: 1, respond: { status: 200, body: [], delayMs: 2_000 } });
    const error = await brokerErrorOf(broker({ options: { timeoutMs: 100 } }).positions());
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('100 ms');
  });
});

describe('Alpaca adapter: status words', () => {
  it('maps every vendor status onto the port’s states (done_for_day stays open)', () => {
    const open = [
      'new',
      'accepted',
      'pending_new',
      'accepted_for_bidding',
      'calculated',
      'pending_cancel',
      'pending_replace',
      'stopped',
      'suspended',
      'done_for_day',
    ];
    for (const status of open) expect(stateOf(status), status).toBe('submitted');
    expect(stateOf('partially_filled')).toBe('partially_filled');
    expect(stateOf('filled')).toBe('filled');
    expect(stateOf('canceled')).toBe('cancelled');
    expect(stateOf('replaced')).toBe('cancelled');
    expect(stateOf('expired')).toBe('expired');
    expect(stateOf('rejected')).toBe('rejected');
  });

  it('keeps the vendor’s word beside the state (done_for_day read from the broker)', async () => {
    const alpaca = broker();
    const placed = await alpaca.submitOrder(marketBuy({ type: 'limit', limitPrice: '90' }));
    const [held] = fake.orders();
    fake.script({
      path: /^\/v2\/orders\//,
      times: 1,
      respond: { status: 200, body: { ...held, status: 'done_for_day' } },
    });
    expect(await alpaca.order(placed.brokerOrderId)).toMatchObject({ venueStatus: 'done_for_day', state: 'submitted' });
  });
});
