import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Backend } from '@ballast/platform/http/handler.js';
import { createPlatform, type Platform } from '@ballast/platform/platform.js';
import type { RoutingConfig } from '@ballast/platform/routing/schemas.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig } from '../../../platform/test/support/harness.js';
import { emptyColumns } from './chunks.js';
import { priceSource } from './index.js';
import { type MarketDataProvider, ProviderError, type ProviderRegistry } from './provider.js';
import { DynamoCandleStore } from './store.dynamo.js';

const DAY = 86_400_000;
let db: DynamoDBDocumentClient;
let table: string;
let clock = T0;
let platform: Platform;

/** A provider the test switches between answering and failing. */
let providerDown = false;
const provider: MarketDataProvider = {
  name: 'scripted',
  async quotes(symbols) {
    if (providerDown) throw new ProviderError('scripted', 'unavailable', 'down');
    return symbols
      .filter((s) => s !== 'NOPE')
      .map((symbol) => ({
        symbol,
        price: '200.25',
        asOf: new Date(clock).toISOString(),
        currency: 'USD',
        name: symbol,
      }));
  },
  async searchSymbols() {
    return [];
  },
  async candles() {
    return [];
  },
};
const PROVIDERS: ProviderRegistry = { scripted: () => provider };

beforeAll(async () => {
  const made = await createTestTable('prices');
  db = made.db;
  table = made.table;
  platform = createPlatform(testConfig(table), {
    db,
    logger: silentLogger(),
    now: () => clock,
    secrets: { resolve: async () => 'the-key' },
  });
  for (const [tenantId, config] of [
    ['t_stored', { kind: 'market-data', provider: 'none' }],
    ['t_live', { kind: 'market-data', provider: 'scripted', secretRef: 'tenants/t_live/scripted' }],
  ] as const) {
    const uow = platform.unitOfWork({ kind: 'system', tenantId: 't_system', requestId: 'test' }, T0);
    const at = new Date(T0).toISOString();
    platform.routing.put(uow, { tenantId, env: 'dev', kind: 'market-data', config, updatedAt: at }, undefined);
    await uow.commit();
  }
  // daily closes: AAPL 187.43 … on the 5 days before T0's day; EUR-USD 1.0842; MSFT old closes only
  const today = Math.floor(T0 / DAY) * DAY;
  for (const tenantId of ['t_stored', 't_live', 't_unrouted']) {
    const store = new DynamoCandleStore(db, table, { tenantId });
    const daily = (symbol: string, closes: number[], lastDay: number) => {
      const bars = emptyColumns(closes.length);
      closes.forEach((close, i) => {
        bars.time[i] = lastDay - (closes.length - 1 - i) * DAY;
        bars.open[i] = close;
        bars.high[i] = close;
        bars.low[i] = close;
        bars.close[i] = close;
      });
      return store.write({ symbol, interval: '1day' }, bars, T0);
    };
    await daily('AAPL', [185.1, 186, 187.2, 186.95, 187.43], today - DAY);
    await daily('EUR-USD', [1.0811, 1.0842], today - DAY);
    await daily('MSFT', [401.5, 402.75], today - 30 * DAY);
  }
});

const backend = (tenantId: string): Backend => ({
  platform,
  db: platform.db,
  ctx: undefined,
  scope: { tenantId, env: 'dev' },
  data: {
    tenantId,
    env: 'dev',
    kind: 'data',
    config: { kind: 'data', mode: 'pooled', tableName: table } satisfies RoutingConfig,
    version: 1,
    updatedAt: '',
  },
  requestId: 'test',
  now: clock,
});

describe('priceSource, for the portfolio context', () => {
  it('with provider `none`, prices from the latest stored daily close, in the caller’s spelling', async () => {
    const prices = priceSource(backend('t_stored'), PROVIDERS);
    const found = await prices.latest(['AAPL', 'EUR/USD', 'MSFT', 'NOPE']);
    expect([...found.keys()]).toEqual(['AAPL', 'EUR/USD', 'MSFT']);
    expect(found.get('AAPL')).toEqual({
      price: '187.43',
      previousClose: '186.95',
      asOf: new Date(Math.floor(T0 / DAY) * DAY - DAY).toISOString(),
      stale: false,
      source: 'candle',
    });
    expect(found.get('EUR/USD')).toMatchObject({ price: '1.0842', currency: 'USD', assetClass: 'fx' });
    expect(found.get('MSFT')).toMatchObject({ price: '402.75', stale: true });
  });

  it('converts currencies: the pair, one over the inverse pair, 1 for the same currency, nothing unknown', async () => {
    const prices = priceSource(backend('t_stored'), PROVIDERS);
    expect(await prices.fxRate('EUR', 'USD')).toMatchObject({ rate: '1.0842', stale: false });
    expect((await prices.fxRate('USD', 'EUR'))?.rate).toBe('0.922339051835');
    expect(await prices.fxRate('USD', 'USD')).toMatchObject({ rate: '1', stale: false });
    expect(await prices.fxRate('GBP', 'JPY')).toBeUndefined();
  });

  it('lists stored daily closes for a date range, oldest first, as decimal strings exactly as stored', async () => {
    const prices = priceSource(backend('t_stored'), PROVIDERS);
    const today = Math.floor(T0 / DAY) * DAY;
    const from = new Date(today - 3 * DAY).toISOString().slice(0, 10);
    const to = new Date(today).toISOString().slice(0, 10);
    expect(await prices.dailyCloses('AAPL', from, to)).toEqual([
      { date: from, close: '187.2' },
      { date: new Date(today - 2 * DAY).toISOString().slice(0, 10), close: '186.95' },
      { date: new Date(today - DAY).toISOString().slice(0, 10), close: '187.43' },
    ]);
    expect(await prices.dailyCloses('AAPL', to, from)).toEqual([]);
  });

  it('prefers the provider’s quote; when it fails, the newer of the cached quote and the last close', async () => {
    const prices = priceSource(backend('t_live'), PROVIDERS);
    const live = await prices.latest(['AAPL', 'NOPE']);
    expect(live.get('AAPL')).toMatchObject({ price: '200.25', source: 'quote', stale: false, name: 'AAPL' });
    expect(live.has('NOPE')).toBe(false);
    providerDown = true;
    try {
      clock += 5 * 60_000; // the cached quote is five minutes old
      const cached = await priceSource(backend('t_live'), PROVIDERS).latest(['AAPL', 'EUR-USD']);
      expect(cached.get('AAPL')).toMatchObject({ price: '200.25', source: 'quote', stale: true });
      expect(cached.get('EUR-USD')).toMatchObject({ price: '1.0842', source: 'candle' });
      clock += 3 * DAY; // now a newer close is stored than the cached quote
      await new DynamoCandleStore(db, table, { tenantId: 't_live' }).write(
        { symbol: 'AAPL', interval: '1day' },
        Object.assign(emptyColumns(1), {
          time: Float64Array.of(Math.floor(clock / DAY) * DAY - DAY),
          open: Float64Array.of(190),
          high: Float64Array.of(191),
          low: Float64Array.of(189),
          close: Float64Array.of(190.5),
          volume: Float64Array.of(0),
        }),
        clock,
      );
      const newer = await priceSource(backend('t_live'), PROVIDERS).latest(['AAPL']);
      expect(newer.get('AAPL')).toMatchObject({ price: '190.5', source: 'candle' });
    } finally {
      providerDown = false;
    }
  });

  it('fails fast without a market-data routing entry (503 ROUTING_NOT_CONFIGURED), never a guess', async () => {
    await expect(priceSource(backend('t_unrouted'), PROVIDERS).latest(['AAPL'])).rejects.toMatchObject({
      status: 503,
      code: 'ROUTING_NOT_CONFIGURED',
    });
  });
});
