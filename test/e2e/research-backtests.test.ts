import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestConfigSchema } from '../../packages/core/src/backtest/config.js';
import { runBacktest } from '../../packages/core/src/backtest/engine.js';
import type { BacktestResult } from '../../packages/core/src/backtest/types.js';
import { Dec, formatMoney } from '../../packages/core/src/money.js';
import { mulberry32 } from '../../packages/core/src/optimiser/prng.js';
import { strategies } from '../../packages/core/src/strategies/index.js';
import type { AnyStrategy } from '../../packages/core/src/strategies/types.js';
import type { StoredBars } from '../../packages/app/src/market-data/index.js';
import { DynamoCandleStore } from '../../packages/app/src/market-data/store.dynamo.js';
import { TenantBlobs } from '../../packages/platform/src/data/blobs.js';
import { stageBlobStore } from '../../packages/platform/src/data/project-blobs.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Backtests over HTTP: the service's result is @ballast/core's on the same stored bars; small runs
 * answer at once, a large one goes through the jobs spine with its progress visible in between.
 */

let t: TestRuntime;
let nav: string;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `backtest-test-${++keySeq}-${Date.now()}`;
const MINUTE = 60_000;
/** the runtime's clock, half a minute past a minute (a tick is sent to the next); a test moves it past rate windows */
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE + 30_000;
let clock = NOW;

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token = nav) =>
  t.call(method, path, { token, headers: { ...P, ...headers }, body });

/** `n` one-minute bars of a seeded random walk from `startMs`, two decimals like uploaded prices. */
function walk(n: number, seed: number, startMs: number): StoredBars {
  const rnd = mulberry32(seed);
  const cols = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    length: n,
  };
  const cents = (x: number) => Math.round(x * 100) / 100;
  let p = 100;
  for (let i = 0; i < n; i++) {
    const open = cents(p);
    const close = cents(open * (1 + (rnd() - 0.5) * 0.01));
    cols.time[i] = startMs + i * MINUTE;
    cols.open[i] = open;
    cols.high[i] = cents(Math.max(open, close) * (1 + rnd() * 0.003));
    cols.low[i] = cents(Math.min(open, close) * (1 - rnd() * 0.003));
    cols.close[i] = close;
    cols.volume[i] = 1000 + Math.floor(rnd() * 1000);
    p = close;
  }
  return cols;
}

/** Writes bars through market data's own candle store, as a sync or an upload would. */
async function store(symbol: string, bars: ReturnType<typeof walk>) {
  const candles = new DynamoCandleStore(t.rt.platform.db, t.rt.tables.pooled, { tenantId: 't_demo' });
  await candles.write({ symbol, interval: '1min' }, bars, NOW);
}

const iso = (ms: number) => new Date(ms).toISOString();
/** the first index of the largest (sign 1) or smallest (sign −1) value, without spreading a long array */
function extreme(values: ArrayLike<number>, sign: 1 | -1): number {
  let at = 0;
  for (let i = 1; i < values.length; i++) if (sign * values[i] > sign * values[at]) at = i;
  return at;
}
const usd = (x: number) => formatMoney(new Dec(x), 'USD');
/** core's metrics as the service shows them: NaN and ±Infinity are null */
const shown = (r: BacktestResult) =>
  Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));

const SMALL = walk(5000, 7, Date.UTC(2026, 0, 5));
const window = (bars: StoredBars) => ({
  from: iso(bars.time[0]),
  to: iso(bars.time[bars.length - 1]),
});
const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call('POST', '/v1/backtests', body, headers);

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_navigator', 't_demo', '6h');
  await store('BTSMALL', SMALL);
}, 120_000);
afterAll(async () => {
  await t.stop();
});

describe('POST /v1/backtests (inline)', () => {
  const body = { strategy: 'trend', symbol: 'BTSMALL', interval: '1min', ...window(SMALL) };
  let made: CallResult;
  let core: BacktestResult;

  beforeAll(async () => {
    made = await create(body);
    const strategy: AnyStrategy = strategies.trend;
    core = runBacktest({ candles: SMALL, strategy });
  });

  it('answers 201 with Location: the metrics and money are core’s on the same bars', () => {
    expectStatus(made, 201);
    const id = String(made.body.backtestId);
    expect(id).toMatch(/^bt_[0-9A-Z]{26}$/);
    expect(made.headers.get('location')).toBe(`/v1/backtests/${id}`);
    expect(made.body.status).toBe('completed');
    expect(made.body.runner).toBe('inline');
    expect(made.body.bars).toBe(SMALL.length);
    expect(core.trades.length, 'the walk trades').toBeGreaterThan(10);
    expect(made.body.metrics).toEqual(shown(core));
    expect(made.body.money).toEqual(core.money);
    expect(made.body.tradeCount).toBe(core.trades.length);
    expect(made.body.skippedSignals).toBe(core.skippedSignals);
    expect(made.body.progress).toEqual({ done: SMALL.length, total: SMALL.length });
  });

  it("fills every field left out with @ballast/core's default (the request as run)", () => {
    const defaults = BacktestConfigSchema.parse({});
    const { initialCapital, ...rest } = defaults;
    expect(made.body.request).toEqual({
      ...body,
      from: window(SMALL).from,
      to: window(SMALL).to,
      params: strategies.trend.params.parse({}),
      initialCapital: String(initialCapital),
      ...rest,
    });
  });

  it('shows a curve of ≤ 2,000 points with the full curve’s extremes (equity max, min, deepest drawdown)', () => {
    const curve = made.body.curve as {
      points: number;
      items: Array<{ time: string; equity: string; drawdown: number }>;
    };
    expect(curve.points).toBe(SMALL.length);
    expect(curve.items.length).toBeLessThanOrEqual(2000);
    expect(curve.items.length).toBeGreaterThan(1000);
    const eq = core.equity;
    const dd = core.drawdown;
    const times = curve.items.map((p) => p.time);
    const at = (i: number) => curve.items[times.indexOf(iso(SMALL.time[i]))];
    for (const i of [0, SMALL.length - 1, extreme(eq, 1), extreme(eq, -1)]) {
      expect(at(i), `bar ${i}`).toBeDefined();
      expect(at(i).equity).toBe(usd(eq[i]));
    }
    const deepest = extreme(dd, -1);
    expect(at(deepest).drawdown).toBe(dd[deepest]);
    // every point is the full curve's own at its bar, in time order
    for (let k = 1; k < times.length; k++) expect(times[k] > times[k - 1]).toBe(true);
  });

  it('GET answers the same record with its ETag; the list shows it newest first, without a curve', async () => {
    const id = String(made.body.backtestId);
    const got = await call('GET', `/v1/backtests/${id}`);
    expectStatus(got, 200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(made.body);
    const second = await create(body);
    expectStatus(second, 201);
    const list = await call('GET', '/v1/backtests?limit=2');
    expectStatus(list, 200);
    expect(list.body.items?.map((b) => b.backtestId)).toEqual([second.body.backtestId, id]);
    expect(list.body.items?.[0]).not.toHaveProperty('curve');
  });

  it('same request and bars → the same result, bit for bit; a replayed Idempotency-Key → the first', async () => {
    const again = await create(body);
    expectStatus(again, 201);
    expect(again.body.backtestId).not.toBe(made.body.backtestId);
    for (const field of ['metrics', 'money', 'curve', 'tradeCount', 'request'] as const) {
      expect(again.body[field], field).toEqual(made.body[field]);
    }
    const k = key();
    const first = await create(body, { 'Idempotency-Key': k });
    const replay = await create(body, { 'Idempotency-Key': k });
    expectStatus(replay, 201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.backtestId).toBe(first.body.backtestId);
  });

  it('GET …/equity gives the full curve as JSON and CSV (time, equity, drawdown)', async () => {
    const id = String(made.body.backtestId);
    const json = await call('GET', `/v1/backtests/${id}/equity`);
    expectStatus(json, 200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const items = json.body.items as Array<{ time: string; equity: string; drawdown: number }>;
    expect(json.body).toMatchObject({ points: SMALL.length, offset: 0, nextOffset: null });
    expect(items).toHaveLength(SMALL.length);
    items.forEach((p, i) => {
      expect(p.time).toBe(iso(SMALL.time[i]));
      expect(p.equity).toBe(usd(core.equity[i]));
      expect(p.drawdown).toBe(core.drawdown[i]);
    });
    const csv = await call('GET', `/v1/backtests/${id}/equity?format=csv`);
    expectStatus(csv, 200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\n');
    expect(lines[0]).toBe('time,equity,drawdown');
    expect(lines).toHaveLength(SMALL.length + 1);
    expect(lines[1]).toBe(`${iso(SMALL.time[0])},${usd(core.equity[0])},${core.drawdown[0]}`);
    expect(lines.at(-1)).toBe(`${items.at(-1)!.time},${items.at(-1)!.equity},${items.at(-1)!.drawdown}`);
    // a window of the curve: offset and limit, with where the next part starts
    const part = await call('GET', `/v1/backtests/${id}/equity?offset=4990&count=5`);
    expectStatus(part, 200);
    expect(part.body).toMatchObject({ offset: 4990, nextOffset: 4995 });
    expect(part.body.items).toEqual(items.slice(4990, 4995));
  });

  it('GET …/trades pages through the trade log: core’s trades, prices and P&L as decimal strings', async () => {
    const id = String(made.body.backtestId);
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: CallResult = await call(
        'GET',
        `/v1/backtests/${id}/trades?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expectStatus(r, 200);
      seen.push(...(r.body.items ?? []));
      cursor = typeof r.body.nextCursor === 'string' ? r.body.nextCursor : null;
      if (cursor) expect(r.body.items).toHaveLength(7);
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(core.trades.length / 7));
    expect(seen).toHaveLength(core.trades.length);
    seen.forEach((trade, k) => {
      const c = core.trades[k];
      expect(trade).toMatchObject({
        side: c.side,
        entryTime: iso(c.entryTime),
        exitTime: iso(c.exitTime),
        pnl: usd(c.pnl),
        commission: usd(c.commission),
        exitReason: c.exitReason,
        barsHeld: c.barsHeld,
      });
      expect(Number(trade.entryPrice)).toBeCloseTo(c.entryPrice, 6);
      expect(typeof trade.quantity).toBe('string');
    });
  });

  it('takes settings and checks them with core’s schemas: 400 with the field’s path', async () => {
    const custom = await create({
      ...body,
      strategy: 'smaCross',
      params: { fast: 5, slow: 20 },
      initialCapital: '25000.50',
      commission: { rate: 0.001, fixed: 1 },
      slippageBps: 5,
      sizing: { mode: 'percent', percent: 0.5 },
      allowShort: false,
    });
    expectStatus(custom, 201);
    const strategy: AnyStrategy = strategies.smaCross;
    const config = {
      initialCapital: 25000.5,
      commission: { perShare: 0, rate: 0.001, fixed: 1, minimum: 0 },
      slippageBps: 5,
      sizing: { mode: 'percent' as const, percent: 0.5 },
      allowShort: false,
    };
    const expected = runBacktest({ candles: SMALL, strategy, params: { fast: 5, slow: 20 }, config });
    expect(custom.body.metrics).toEqual(shown(expected));
    expect(custom.body.money).toEqual(expected.money);
    expect(custom.body.request).toMatchObject({ initialCapital: '25000.50', commission: config.commission });

    for (const [bad, path] of [
      [{ params: { fast: 0 } }, 'body.params.fast'],
      [{ strategy: 'nope' }, 'body.strategy'],
      [{ slippageBps: 5000 }, 'body.slippageBps'],
      [{ commission: { rate: 1 } }, 'body.commission.rate'],
      [{ sizing: { mode: 'risk', riskPercent: 2 } }, 'body.sizing.riskPercent'],
      [{ initialCapital: 1000 }, 'body.initialCapital'],
      [{ initialCapital: '-5' }, 'body.initialCapital'],
      [{ initialCapital: '2000000000000000' }, 'body.initialCapital'],
      [{ currency: 'XXX' }, 'body.currency'],
      [{ to: '2020-01-01' }, 'body.to'],
      [{ from: 'yesterday' }, 'body.from'],
      [{ interval: '2min' }, 'body.interval'],
      [{ startIndex: -1 }, 'body.startIndex'],
      [{ extra: true }, 'body.extra'],
    ] as const) {
      const r = await create({ ...body, ...bad });
      expectStatus(r, 400);
      expect(
        r.body.errors?.map((e) => e.path),
        JSON.stringify(bad),
      ).toContain(path);
    }
  });

  it('refuses a window with fewer than 2 stored bars (or a warm-up past them): 422 NOT_ENOUGH_CANDLES', async () => {
    const empty = await create({ ...body, from: '2020-01-01', to: '2020-02-01' });
    expectStatus(empty, 422, 'NOT_ENOUGH_CANDLES');
    const one = await create({ ...body, to: body.from });
    expectStatus(one, 422, 'NOT_ENOUGH_CANDLES');
    const none = await create({ ...body, symbol: 'NOSUCH' });
    expectStatus(none, 422, 'NOT_ENOUGH_CANDLES');
    const late = await create({ ...body, startIndex: 5000 });
    expectStatus(late, 422, 'NOT_ENOUGH_CANDLES');
  });
});

describe('DELETE and isolation', () => {
  beforeAll(() => {
    clock += MINUTE;
  });
  const body = { strategy: 'trend', symbol: 'BTSMALL', interval: '1min', ...window(SMALL) };

  it('DELETE needs If-Match (428, 412), removes the record and its blobs, and is audited', async () => {
    const made = await create(body);
    expectStatus(made, 201);
    const id = String(made.body.backtestId);
    const blobs = new TenantBlobs(() => stageBlobStore(t.rt.platform.config), {
      tenantId: 't_demo',
      env: 'dev',
      projectId: 'p_demo',
    });
    expect(await blobs.get(`backtests/${id}/curve.f64`)).toBeDefined();
    expect(await blobs.get(`backtests/${id}/trades/0.json`)).toBeDefined();
    expectStatus(await call('DELETE', `/v1/backtests/${id}`), 428);
    expectStatus(await call('DELETE', `/v1/backtests/${id}`, undefined, { 'If-Match': '"7"' }), 412);
    expectStatus(await call('DELETE', `/v1/backtests/${id}`, undefined, { 'If-Match': '"1"' }), 204);
    expectStatus(await call('GET', `/v1/backtests/${id}`), 404, 'BACKTEST_NOT_FOUND');
    expectStatus(await call('GET', `/v1/backtests/${id}/trades`), 404, 'BACKTEST_NOT_FOUND');
    expect(await blobs.get(`backtests/${id}/curve.f64`)).toBeUndefined();
    expect(await blobs.get(`backtests/${id}/trades/0.json`)).toBeUndefined();
    const admin = await t.token('u_admin', 't_demo', '1h');
    const audit = await t.call('GET', '/v1/audit?limit=20', { token: admin, headers: P });
    expectStatus(audit, 200);
    const actions = (audit.body.items ?? []).filter((a) => a.resource === `backtest/${id}`).map((a) => a.action);
    expect(actions.sort()).toEqual(['backtest.create', 'backtest.delete']);
  });

  it("another tenant's or project's id → 404; an observer may read but not create", async () => {
    const made = await create(body);
    const id = String(made.body.backtestId);
    const acme = await t.token('u_acme', 't_acme', '1h');
    for (const path of [`/v1/backtests/${id}`, `/v1/backtests/${id}/trades`, `/v1/backtests/${id}/equity`]) {
      const r = await t.call('GET', path, { token: acme, headers: { 'X-Project-Id': 'p_acme' } });
      expectStatus(r, 404, 'BACKTEST_NOT_FOUND');
    }
    const del = await t.call('DELETE', `/v1/backtests/${id}`, {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme', 'If-Match': '"1"' },
    });
    expectStatus(del, 404, 'BACKTEST_NOT_FOUND');
    const list = await t.call('GET', '/v1/backtests', { token: acme, headers: { 'X-Project-Id': 'p_acme' } });
    expectStatus(list, 200);
    expect(list.body.items).toEqual([]);
    expectStatus(await call('GET', `/v1/backtests/${id}`), 200);
    const observer = await t.token('u_observer', 't_demo', '1h');
    expectStatus(await call('GET', `/v1/backtests/${id}`, undefined, {}, observer), 200);
    expectStatus(await call('POST', '/v1/backtests', body, {}, observer), 403, 'TIER_TOO_LOW');
  });
});

describe('a large backtest on the jobs spine', () => {
  /** more bars than a request runs: 202, then the job (a week and a half of 1-minute bars a day short of 24/7) */
  const LARGE = walk(230_000, 99, Date.UTC(2025, 0, 6));

  it('answers 202, runs on a tick with progress in between, and completes as core’s result', async () => {
    clock += MINUTE;
    await store('BTLARGE', LARGE);
    const body = { strategy: 'trend', symbol: 'BTLARGE', interval: '1min', ...window(LARGE) };
    const accepted = await create(body);
    expectStatus(accepted, 202);
    const id = String(accepted.body.backtestId);
    expect(accepted.body).toEqual({ backtestId: id, status: 'pending' });
    expect(accepted.headers.get('location')).toBe(`/v1/backtests/${id}`);
    const pending = await call('GET', `/v1/backtests/${id}`);
    expect(pending.body).toMatchObject({ status: 'pending', runner: 'job', metrics: null, curve: null });
    // a pending or running backtest has no trades or curve yet
    expectStatus(await call('GET', `/v1/backtests/${id}/trades`), 409, 'BACKTEST_NOT_COMPLETED');

    // the job is due now: the tick at the next minute runs it; read the record while it does
    clock = Math.ceil(clock / MINUTE) * MINUTE;
    const tick = t.call('POST', '/_local/tick', { body: { at: iso(clock) } });
    let done = false;
    void tick.finally(() => {
      done = true;
    });
    const seen: Array<{ status: string; progress: { done: number; total: number } }> = [];
    let deleteWhileRunning: CallResult | undefined;
    while (!done) {
      // each read in a rate-limit window of its own (the limit counts a minute of the runtime's clock)
      clock += MINUTE;
      const r = await call('GET', `/v1/backtests/${id}`);
      expectStatus(r, 200);
      const progress = r.body.progress as { done: number; total: number };
      seen.push({ status: String(r.body.status), progress });
      if (r.body.status === 'running' && !deleteWhileRunning) {
        deleteWhileRunning = await call('DELETE', `/v1/backtests/${id}`, undefined, {
          'If-Match': String(r.headers.get('etag')),
        });
      }
    }
    expectStatus(await tick, 200);
    clock += MINUTE;
    const between = seen.filter((s) => s.status === 'running' && s.progress.done > 0);
    expect(between.length, JSON.stringify(seen.slice(0, 30))).toBeGreaterThan(0);
    for (const s of between) {
      expect(s.progress.total).toBe(LARGE.length);
      expect(s.progress.done).toBeLessThan(s.progress.total);
    }
    // progress only grows
    const dones = seen.map((s) => s.progress.done);
    for (let k = 1; k < dones.length; k++) expect(dones[k]).toBeGreaterThanOrEqual(dones[k - 1]);
    if (deleteWhileRunning) expectStatus(deleteWhileRunning, 409, 'BACKTEST_RUNNING');

    const final = await call('GET', `/v1/backtests/${id}`);
    expectStatus(final, 200);
    expect(final.body.status).toBe('completed');
    const strategy: AnyStrategy = strategies.trend;
    const core = runBacktest({ candles: LARGE, strategy });
    expect(final.body.metrics).toEqual(shown(core));
    expect(final.body.money).toEqual(core.money);
    expect(final.body.tradeCount).toBe(core.trades.length);
    expect(final.body.progress).toEqual({ done: LARGE.length, total: LARGE.length });
    const curve = final.body.curve as {
      points: number;
      items: Array<{ time: string; equity: string; drawdown: number }>;
    };
    expect(curve.points).toBe(LARGE.length);
    expect(curve.items.length).toBeLessThanOrEqual(2000);
    const eq = Array.from(core.equity);
    const pointAt = (i: number) => curve.items.find((p) => p.time === iso(LARGE.time[i]));
    for (const i of [extreme(eq, 1), extreme(eq, -1)]) expect(pointAt(i)?.equity, `bar ${i}`).toBe(usd(eq[i]));
    const deepest = extreme(core.drawdown, -1);
    expect(pointAt(deepest)?.drawdown).toBe(core.drawdown[deepest]);
    // the full curve, in parts of at most 50,000 points
    const tail = await call('GET', `/v1/backtests/${id}/equity?offset=${LARGE.length - 3}`);
    expectStatus(tail, 200);
    expect(tail.body.nextOffset).toBeNull();
    expect((tail.body.items as Array<{ equity: string }>).map((p) => p.equity)).toEqual(
      eq.slice(-3).map((e) => usd(e)),
    );
    const head = await call('GET', `/v1/backtests/${id}/equity`);
    expect(head.body).toMatchObject({ points: LARGE.length, offset: 0, nextOffset: 50_000 });
  }, 300_000);
});
