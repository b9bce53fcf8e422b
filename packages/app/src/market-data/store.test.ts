import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createPlatform, type Platform } from '@ballast/platform/platform.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../../platform/test/support/harness.js';
import { type CandleColumns, emptyColumns } from './chunks.js';
import type { EconomicEvent, SyncRecord } from './store.js';
import { DynamoCandleStore, DynamoEventStore, DynamoQuoteCache, DynamoSyncStore } from './store.dynamo.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
let db: DynamoDBDocumentClient;
let table: string;
let platform: Platform;

beforeAll(async () => {
  const made = await createTestTable('market');
  db = made.db;
  table = made.table;
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
});

const { uow, commit } = unitsOfWork(() => platform);
const candles = (tenantId = 't_candles') => new DynamoCandleStore(db, table, { tenantId });

/** Minute bars from `startMs`, `n` of them, `stepMs` apart, with prices in cents derived from the index. */
function minuteBars(startMs: number, n: number, stepMs = MINUTE, price = (i: number) => 100 + (i % 997) / 100) {
  const out = emptyColumns(n);
  for (let i = 0; i < n; i++) {
    const p = price(i);
    out.time[i] = startMs + i * stepMs;
    out.open[i] = p;
    out.high[i] = p + 0.5;
    out.low[i] = p - 0.5;
    out.close[i] = p + 0.25;
    out.volume[i] = 1000 + (i % 13);
  }
  return out;
}

const times = (b: CandleColumns) => Array.from(b.time);

async function chunkItems(tenantId: string, symbol: string, interval: string) {
  const res = await db.send(
    new ScanCommand({
      TableName: table,
      FilterExpression: 'begins_with(PK, :pk)',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}#CANDLES#${symbol}#${interval}` },
    }),
  );
  return res.Items ?? [];
}

describe('candle store: chunks', () => {
  it('cuts one-minute bars at 00:00 UTC: one item a day, the boundary bar in the new day', async () => {
    const store = candles();
    const start = Date.UTC(2026, 2, 5, 23, 58);
    const bars = minuteBars(start, 4 + DAY / MINUTE); // 23:58 on the 5th … 00:01 on the 7th
    const written = await store.write({ symbol: 'AAPL', interval: '1min' }, bars, T0);
    expect(written).toEqual({ bars: bars.length, chunks: 3 });
    const items = await chunkItems('t_candles', 'AAPL', '1min');
    expect(items.map((i) => i.SK).sort()).toEqual(['CHUNK#2026-03-05', 'CHUNK#2026-03-06', 'CHUNK#2026-03-07']);
    const byDay = Object.fromEntries(items.map((i) => [i.SK, i.bars]));
    expect(byDay).toEqual({ 'CHUNK#2026-03-05': 2, 'CHUNK#2026-03-06': 1440, 'CHUNK#2026-03-07': bars.length - 1442 });
    for (const item of items) expect((item.data as Uint8Array).byteLength).toBeLessThan(400_000);

    const midnight = Date.UTC(2026, 2, 6);
    const around = await store.read({ symbol: 'AAPL', interval: '1min' }, midnight - MINUTE, midnight + MINUTE);
    expect(times(around)).toEqual([midnight - MINUTE, midnight, midnight + MINUTE]);
    expect(around.close[1]).toBe(bars.close[2]);
    const all = await store.read({ symbol: 'AAPL', interval: '1min' }, 0, Date.UTC(2100, 0, 1));
    expect(times(all)).toEqual(times(bars));
    expect(Array.from(all.volume)).toEqual(Array.from(bars.volume));
  });

  it('reads a window inclusively at both ends, and honours a limit from the oldest bar on', async () => {
    const store = candles();
    const series = { symbol: 'MSFT', interval: '5min' } as const;
    const start = Date.UTC(2026, 0, 1);
    await store.write(series, minuteBars(start, 6000, 5 * MINUTE), T0);
    const window = await store.read(series, start + 10 * 5 * MINUTE, start + 20 * 5 * MINUTE);
    expect(window.length).toBe(11);
    expect(window.time[0]).toBe(start + 50 * MINUTE);
    const limited = await store.read(series, start, start + 10 * DAY, 100);
    expect(limited.length).toBe(100);
    expect(limited.time[99]).toBe(start + 99 * 5 * MINUTE);
    expect((await store.read(series, start - DAY, start - 1)).length).toBe(0);
    expect((await store.read({ symbol: 'NOPE', interval: '5min' }, 0, start)).length).toBe(0);
  });

  it('merges an upload into what is stored: a bar at a stored time is replaced, the rest kept', async () => {
    const store = candles();
    const series = { symbol: 'VTI', interval: '1day' } as const;
    const first = minuteBars(Date.UTC(2025, 11, 29), 5, DAY);
    await store.write(series, first, T0);
    const second = minuteBars(Date.UTC(2025, 11, 31), 4, DAY, () => 7);
    await store.write(series, second, T0);
    const all = await store.read(series, 0, Date.UTC(2100, 0, 1));
    expect(times(all)).toEqual(
      [29, 30, 31].map((d) => Date.UTC(2025, 11, d)).concat([1, 2, 3].map((d) => Date.UTC(2026, 0, d))),
    );
    expect(Array.from(all.open)).toEqual([first.open[0], first.open[1], 7, 7, 7, 7]);
    const [info] = await store.catalog('VTI', 10);
    expect(info).toMatchObject({ symbol: 'VTI', interval: '1day', bars: 6, firstTime: '2025-12-29T00:00:00.000Z' });
    expect(info.lastTime).toBe('2026-01-03T00:00:00.000Z');
  });

  it('loses no bar when two writers merge into the same chunk at once', async () => {
    const store = candles();
    const series = { symbol: 'RACE', interval: '1min' } as const;
    const day = Date.UTC(2026, 2, 9);
    const writers = Array.from({ length: 6 }, (_, w) => minuteBars(day + w * 100 * MINUTE, 50));
    await Promise.all(writers.map((bars) => candles().write(series, bars, T0)));
    const all = await store.read(series, day, day + DAY - 1);
    expect(all.length).toBe(300);
    expect((await store.catalog('RACE', 5))[0].bars).toBe(300);
  });

  it('latest: the last bars at or before a time, across a chunk boundary', async () => {
    const store = candles();
    const series = { symbol: 'BND', interval: '1day' } as const;
    await store.write(series, minuteBars(Date.UTC(2025, 11, 30), 4, DAY), T0); // 30th, 31st, Jan 1st, 2nd
    const last2 = await store.latest(series, Date.UTC(2026, 0, 1, 12), 2);
    expect(times(last2)).toEqual([Date.UTC(2025, 11, 31), Date.UTC(2026, 0, 1)]);
    const three = await store.latest(series, Date.UTC(2030, 0, 1), 3);
    expect(times(three)).toEqual([31, 1, 2].map((d, i) => Date.UTC(i ? 2026 : 2025, i ? 0 : 11, d)));
    expect((await store.latest(series, Date.UTC(2020, 0, 1), 2)).length).toBe(0);
  });

  it('keeps tenants apart: another tenant sees none of the bars', async () => {
    await candles('t_one').write({ symbol: 'AAPL', interval: '1day' }, minuteBars(Date.UTC(2026, 0, 5), 3, DAY), T0);
    expect((await candles('t_two').read({ symbol: 'AAPL', interval: '1day' }, 0, Date.UTC(2100, 0, 1))).length).toBe(0);
    expect(await candles('t_two').catalog('', 10)).toEqual([]);
    const partitions = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': 'TENANT#t_one#CANDLES#AAPL#1day' },
      }),
    );
    expect(partitions.Items?.length).toBe(1);
  });

  it('reads 1,000,000 one-minute bars back exactly as written', { timeout: 240_000 }, async () => {
    const store = candles('t_million');
    const series = { symbol: 'BTC-USD', interval: '1min' } as const;
    const n = 1_000_000;
    const start = Date.UTC(2023, 0, 1);
    const bars = minuteBars(start, n, MINUTE, (i) => 20_000 + Math.round(Math.sin(i / 500) * 100_000) / 100);
    const written = await store.write(series, bars, T0);
    expect(written).toEqual({ bars: n, chunks: Math.ceil(n / 1440) });
    const read = await store.read(series, start, start + n * MINUTE);
    expect(read.length).toBe(n);
    for (const name of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
      let same = true;
      for (let i = 0; i < n && same; i++) same = read[name][i] === bars[name][i];
      expect(same, name).toBe(true);
    }
  });
});

describe('quote cache', () => {
  it('keeps the last quote per symbol of a tenant, and only that tenant', async () => {
    const cache = new DynamoQuoteCache(db, table, { tenantId: 't_quotes' });
    const at = new Date(T0).toISOString();
    await cache.put([
      { symbol: 'AAPL', price: '187.43', asOf: at, fetchedAt: at, currency: 'USD' },
      { symbol: 'EUR-USD', price: '1.0842', asOf: at, fetchedAt: at },
    ]);
    const found = await cache.get(['AAPL', 'EUR-USD', 'MSFT']);
    expect([...found.keys()].sort()).toEqual(['AAPL', 'EUR-USD']);
    expect(found.get('AAPL')).toEqual({ symbol: 'AAPL', price: '187.43', asOf: at, fetchedAt: at, currency: 'USD' });
    expect((await new DynamoQuoteCache(db, table, { tenantId: 't_other' }).get(['AAPL'])).size).toBe(0);
  });
});

describe('sync store', () => {
  it('creates a sync once and updates it only from the version it read', async () => {
    const syncs = new DynamoSyncStore(db, table, { tenantId: 't_sync' });
    const at = new Date(T0).toISOString();
    const sync: SyncRecord = {
      syncId: 'sy_01J00000000000000000000000',
      tenantId: 't_sync',
      symbol: 'AAPL',
      interval: '1day',
      from: at,
      to: at,
      status: 'queued',
      chunksTotal: 2,
      chunksDone: 0,
      barsWritten: 0,
      retries: 0,
      requestedBy: 'u_admin',
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await commit((w) => syncs.create(w, sync));
    const running = { ...sync, status: 'running' as const, version: 2 };
    await commit((w) => syncs.update(w, running, 1));
    expect(await syncs.get(sync.syncId)).toEqual(running);
    const stale = uow();
    syncs.update(stale, { ...sync, version: 2 }, 1);
    await expect(stale.commit()).rejects.toMatchObject({ status: 409, code: 'WRITE_CONFLICT' });
    expect(await new DynamoSyncStore(db, table, { tenantId: 't_else' }).get(sync.syncId)).toBeUndefined();
  });
});

describe('economic calendar', () => {
  const event = (time: string, title: string, o: Partial<EconomicEvent> = {}): EconomicEvent => ({
    eventId: `ev_${title.replace(/\W/g, '').toUpperCase().padEnd(20, 'X')}`,
    time,
    allDay: false,
    country: 'US',
    title,
    importance: 'high',
    source: 'api',
    importedAt: time,
    ...o,
  });

  it('lists a window oldest first, filtered, page by page, and replaces an event imported again', async () => {
    const events = new DynamoEventStore(db, table, { tenantId: 't_events' });
    await events.putMany([
      event('2026-03-06T13:30:00.000Z', 'Nonfarm Payrolls'),
      event('2026-03-06T13:30:00.000Z', 'Unemployment Rate', { importance: 'medium' }),
      event('2026-03-10T12:30:00.000Z', 'CPI'),
      event('2026-03-12T13:15:00.000Z', 'ECB Rate Decision', { country: 'EU' }),
      event('2026-04-01T14:00:00.000Z', 'ISM'),
    ]);
    await events.putMany([event('2026-03-10T12:30:00.000Z', 'CPI', { actual: '3.1%' })]);
    const march = await events.list({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T23:59:59.999Z', limit: 50 });
    expect(march.items.map((e) => e.title)).toEqual([
      'Nonfarm Payrolls',
      'Unemployment Rate',
      'CPI',
      'ECB Rate Decision',
    ]);
    expect(march.items[2].actual).toBe('3.1%');
    const us = await events.list({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-30T00:00:00.000Z',
      limit: 50,
      country: 'US',
      importance: 'high',
    });
    expect(us.items.map((e) => e.title)).toEqual(['Nonfarm Payrolls', 'CPI', 'ISM']);
    const first = await events.list({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-30T00:00:00.000Z', limit: 2 });
    expect(first.items).toHaveLength(2);
    const rest = await events.list({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-30T00:00:00.000Z',
      limit: 10,
      cursor: first.nextCursor ?? undefined,
    });
    expect(rest.items.map((e) => e.title)).toEqual(['CPI', 'ECB Rate Decision', 'ISM']);
    const exact = await events.list({ from: '2026-03-06T13:30:00.000Z', to: '2026-03-06T13:30:00.000Z', limit: 5 });
    expect(exact.items).toHaveLength(2);
  });
});
