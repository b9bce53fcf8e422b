import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { strategies } from '../../packages/core/src/strategies/index.js';
import type { AnyStrategy, CandleSeries } from '../../packages/core/src/strategies/types.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/** Strategies and signals over HTTP: the service's signal is core's on the same stored bars. */

let t: TestRuntime;
let nav: string;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `research-test-${++keySeq}-${Date.now()}`;
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_navigator', 't_demo', '6h');
});
beforeEach(() => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
});
afterAll(async () => {
  await t.stop();
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token = nav) =>
  t.call(method, path, { token, headers: { ...P, ...headers }, body });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) => call('POST', path, body, headers);

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** A made-up daily series the test knows bar for bar: a slow trend with a wave, two decimals. */
function series(days: number, endMs: number) {
  const bars = Array.from({ length: days }, (_, i) => {
    const base = 100 + i * 0.35 + 8 * Math.sin(i / 9);
    const close = Math.round(base * 100) / 100;
    const open = Math.round((base - 0.4) * 100) / 100;
    return {
      time: new Date(endMs - (days - i) * DAY).toISOString().slice(0, 10),
      open: open.toFixed(2),
      high: (Math.max(open, close) + 1.1).toFixed(2),
      low: (Math.min(open, close) - 0.9).toFixed(2),
      close: close.toFixed(2),
      volume: String(1000 + i),
    };
  });
  const column = (f: (b: (typeof bars)[number]) => string) => Float64Array.from(bars, (b) => Number(f(b)));
  const candles: CandleSeries = {
    time: Float64Array.from(bars, (b) => Date.parse(b.time)),
    open: column((b) => b.open),
    high: column((b) => b.high),
    low: column((b) => b.low),
    close: column((b) => b.close),
    volume: column((b) => b.volume),
    length: bars.length,
  };
  return { bars, candles };
}

async function uploaded(symbol: string, days = 300) {
  const data = series(days, Math.floor(clock / DAY) * DAY);
  const admin = await t.token('u_admin', 't_demo', '1h');
  const r = await call('PUT', `/v1/market-data/candles/${symbol}/1day`, { candles: data.bars }, {}, admin);
  expectStatus(r, 200);
  return data;
}

const analyze = (strategy: string, body: Record<string, unknown>) =>
  post(`/v1/strategies/${strategy}/analyze`, body, { 'Idempotency-Key': key() });

/** What core says at the last bar, with the same rounding the service applies at the edge. */
function coreSignal(strategy: AnyStrategy, candles: CandleSeries, raw: Record<string, unknown> = {}) {
  const s = strategy.signal(strategy.prepare(candles, strategy.params.parse(raw)), candles.length - 1);
  const price = (x: number | null) => (x === null ? null : Number(x.toFixed(6)));
  return s && { side: s.side, entry: price(s.entry), stop: price(s.stop), target: price(s.target), reason: s.reason };
}

async function simAccount(autonomous: boolean) {
  const r = await post(
    '/v1/accounts',
    { name: 'Research', venue: 'SIMULATION', simulation: { slippageBps: 0 } },
    { 'Idempotency-Key': key() },
  );
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  if (autonomous) {
    const m = await call(
      'PUT',
      `/v1/accounts/${accountId}/mode`,
      { mode: 'AUTONOMOUS', reason: 'research' },
      { 'If-Match': '"1"' },
    );
    expectStatus(m, 200);
  }
  return accountId;
}

describe('strategies', () => {
  it('lists every strategy with its parameters as JSON Schema and the defaults core gives', async () => {
    const r = await call('GET', '/v1/strategies');
    expectStatus(r, 200);
    const items = (r.body.items ?? []) as Array<{ name: string; parameters: { type?: string }; defaults: unknown }>;
    expect(items.map((s) => s.name).sort()).toEqual(Object.keys(strategies).sort());
    for (const item of items) {
      const strategy: AnyStrategy = strategies[item.name as keyof typeof strategies];
      expect(item.parameters.type, item.name).toBe('object');
      expect(item.defaults, item.name).toEqual(strategy.params.parse({}));
    }
  });

  it('analyze: the signal is core’s on the same stored bars, for every strategy; stored if there is one', async () => {
    const { candles } = await uploaded('RSRCH');
    for (const [name, strategy] of Object.entries(strategies) as Array<[string, AnyStrategy]>) {
      const r = await analyze(name, { symbol: 'RSRCH', interval: '1day', bars: 300 });
      const expected = coreSignal(strategy, candles);
      expect(r.body.bars).toBe(300);
      expect(r.body.lastBarTime).toBe(new Date(candles.time[candles.length - 1]).toISOString());
      if (!expected) {
        expectStatus(r, 200);
        expect(r.body.signal, name).toBeNull();
        continue;
      }
      expectStatus(r, 201);
      const signal = r.body.signal as Record<string, unknown>;
      expect(r.headers.get('location')).toBe(`/v1/signals/${String(signal.signalId)}`);
      expect(
        {
          side: signal.side,
          entry: Number(signal.entry),
          stop: signal.stopLoss === null ? null : Number(signal.stopLoss),
          target: signal.takeProfit === null ? null : Number(signal.takeProfit),
          reason: signal.reason,
        },
        name,
      ).toEqual(expected);
      expect(signal).toMatchObject({ status: 'open', strategy: name, symbol: 'RSRCH', interval: '1day' });
      expectStatus(await call('GET', `/v1/signals/${String(signal.signalId)}`), 200);
    }
    // buy-and-hold always signals: a long at the last close
    const bh = await analyze('buyAndHold', { symbol: 'RSRCH', interval: '1day' });
    expect((bh.body.signal as { entry: string }).entry).toBe(String(candles.close[candles.length - 1]));
  });

  it('parameters: a bad one is a 400 naming it; what is left out takes the default; few bars → 422', async () => {
    const { candles } = await uploaded('RSRCHP');
    const bad = await analyze('smaCross', { symbol: 'RSRCHP', interval: '1day', params: { fast: -3 } });
    expectStatus(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors?.[0]?.path).toBe('body.params.fast');
    const tuned = await analyze('smaCross', { symbol: 'RSRCHP', interval: '1day', params: { fast: 5 } });
    const expected = coreSignal(strategies.smaCross, candles, { fast: 5 });
    if (expected) expect((tuned.body.signal as { side: string }).side).toBe(expected.side);
    else expect(tuned.body.signal).toBeNull();
    if (tuned.body.signal) expect((tuned.body.signal as { params: { fast: number } }).params.fast).toBe(5);
    expectStatus(await analyze('trend', { symbol: 'NOPE', interval: '1day' }), 422, 'NOT_ENOUGH_CANDLES');
    expectStatus(await analyze('unknownStrategy', { symbol: 'RSRCHP', interval: '1day' }), 400);
  });
});

describe('signals', () => {
  async function openSignal(symbol: string) {
    await uploaded(symbol);
    const r = await analyze('buyAndHold', { symbol, interval: '1day' });
    expectStatus(r, 201);
    return r.body.signal as { signalId: string; entry: string };
  }
  const approve = (signalId: string, body: Record<string, unknown>) =>
    post(`/v1/signals/${signalId}/approve`, body, { 'Idempotency-Key': key() });

  it('approve: a strategy order through the gate; once only; a signal without levels needs them sent', async () => {
    const accountId = await simAccount(true);
    const signal = await openSignal('RSRCHA');
    const entry = Number(signal.entry);
    expectStatus(
      await call('POST', `/v1/accounts/${accountId}/prices`, { prices: [{ symbol: 'RSRCHA', price: signal.entry }] }),
      200,
    );
    const missing = await approve(signal.signalId, { accountId, quantity: '1' });
    expectStatus(missing, 400, 'STOP_AND_TARGET_REQUIRED');
    expect(missing.body.errors?.map((e) => e.path)).toEqual(['body.stopLoss', 'body.takeProfit']);
    const levels = { stopLoss: (entry * 0.95).toFixed(2), takeProfit: (entry * 1.15).toFixed(2) };
    const ok = await approve(signal.signalId, { accountId, quantity: '1', ...levels });
    expectStatus(ok, 201);
    const order = ok.body.order as Record<string, unknown>;
    expect(order).toMatchObject({
      intent: 'strategy',
      strategy: 'buyAndHold',
      signalId: signal.signalId,
      side: 'buy',
      symbol: 'RSRCHA',
      stopLoss: levels.stopLoss,
      takeProfit: levels.takeProfit,
    });
    expect(ok.body.signal).toMatchObject({ status: 'approved', orderId: order.orderId, accountId });
    expectStatus(await approve(signal.signalId, { accountId, quantity: '1', ...levels }), 409, 'SIGNAL_NOT_OPEN');
    expectStatus(await post(`/v1/signals/${signal.signalId}/cancel`, {}), 409, 'SIGNAL_NOT_OPEN');

    // a refused order gives the signal back, open: 1,000 shares is far past the risk limits
    const second = await openSignal('RSRCHB');
    expectStatus(
      await call('POST', `/v1/accounts/${accountId}/prices`, { prices: [{ symbol: 'RSRCHB', price: second.entry }] }),
      200,
    );
    const e = Number(second.entry);
    const big = { stopLoss: (e * 0.95).toFixed(2), takeProfit: (e * 1.15).toFixed(2) };
    expectStatus(await approve(second.signalId, { accountId, quantity: '1000', ...big }), 422, 'RISK_REJECTED');
    expect((await call('GET', `/v1/signals/${second.signalId}`)).body.status).toBe('open');
    const cancelled = await post(`/v1/signals/${second.signalId}/cancel`, {});
    expectStatus(cancelled, 200);
    expect(cancelled.body.status).toBe('cancelled');
    const open = await call('GET', '/v1/signals?status=open&limit=200');
    expect((open.body.items ?? []).some((s) => s.signalId === second.signalId)).toBe(false);
  });

  it('a GUIDE account previews the approved signal’s order; outsiders get 403/404 on every signal route', async () => {
    const accountId = await simAccount(false);
    const signal = await openSignal('RSRCHG');
    // the account's own price: the provider's made-up quote for this symbol is not the uploaded close
    expectStatus(
      await call('POST', `/v1/accounts/${accountId}/prices`, { prices: [{ symbol: 'RSRCHG', price: signal.entry }] }),
      200,
    );
    const e = Number(signal.entry);
    const levels = { stopLoss: (e * 0.95).toFixed(2), takeProfit: (e * 1.15).toFixed(2) };
    const acme = await t.token('u_acme', 't_acme', '1h');
    const outsiders = [
      { token: acme, project: 'p_acme' },
      { token: nav, project: 'p_research_other' },
    ];
    expectStatus(
      await t.call('POST', '/v1/tenants/t_demo/projects', {
        token: await t.token('u_admin', 't_demo', '1h'),
        body: { projectId: 'p_research_other', name: 'Another project' },
      }),
      201,
    );
    for (const o of outsiders) {
      const headers = { 'X-Project-Id': o.project, 'Idempotency-Key': key() };
      for (const [method, path, body] of [
        ['GET', `/v1/signals/${signal.signalId}`],
        ['POST', `/v1/signals/${signal.signalId}/approve`, { accountId, quantity: '1', ...levels }],
        ['POST', `/v1/signals/${signal.signalId}/cancel`, {}],
      ] as Array<[string, string, unknown?]>) {
        const r = await t.call(method, path, { token: o.token, headers, body });
        expect([403, 404], `${method} ${path} (${o.project}): ${r.text}`).toContain(r.status);
      }
      const list = await t.call('GET', '/v1/signals', { token: o.token, headers });
      if (list.status === 200) expect(list.body.items).toEqual([]);
    }
    const ok = await approve(signal.signalId, { accountId, quantity: '1', ...levels });
    expectStatus(ok, 201);
    expect((ok.body.order as { status: string }).status).toBe('previewed');
  });
});
