import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { readBatches, writeBatches } from '@ballast/platform/data/batch.js';
import { putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict } from '@ballast/platform/errors.js';
import { mapLimit } from '@ballast/platform/jobs/concurrency.js';
import {
  CHUNK_PERIOD,
  type CandleColumns,
  concatColumns,
  emptyColumns,
  lowerBound,
  mergeColumns,
  nextPeriodStart,
  periodKey,
  periodStart,
  periodsBetween,
  sliceColumns,
  sortedUnique,
} from './chunks.js';
import { CHUNK_CODEC, decodeChunk, decodeChunkInto, encodeChunk } from './codec.js';
import type {
  CachedQuote,
  CandleStore,
  CandleWriteResult,
  EconomicEvent,
  EventQuery,
  EventStore,
  QuoteCache,
  SeriesInfo,
  SeriesKey,
  SyncRecord,
  SyncStore,
  TenantScope,
} from './store.js';

/**
 * Every key of the market-data context, tenant first (the pooled table; a silo table has the same
 * shape). Candles: one partition per series, one item per chunk period, sort key = the period's
 * first day, so a window is a range of sort keys.
 */
const keys = {
  chunk: (t: string, s: SeriesKey, period: string) => ({
    PK: `TENANT#${t}#CANDLES#${s.symbol}#${s.interval}`,
    SK: `CHUNK#${period}`,
  }),
  series: (t: string, s: SeriesKey) => ({ PK: `TENANT#${t}#CANDLE_SERIES`, SK: `SERIES#${s.symbol}#${s.interval}` }),
  seriesPrefix: (prefix: string) => `SERIES#${prefix}`,
  quote: (t: string, symbol: string) => ({ PK: `TENANT#${t}#QUOTE#${symbol}`, SK: 'QUOTE' }),
  sync: (t: string, syncId: string) => ({ PK: `TENANT#${t}#MARKET_DATA_SYNC#${syncId}`, SK: 'SYNC' }),
  events: (t: string) => `TENANT#${t}#ECONOMIC_EVENTS`,
  event: (time: string, eventId: string) => `EVENT#${time}#${eventId}`,
  /** sorts after every event id at `time` */
  eventsUpTo: (time: string) => `EVENT#${time}#~`,
};

/** DynamoDB's item limit is 400 KB; chunks are sized to stay far below it (chunks.ts). */
const MAX_ITEM_BYTES = 380_000;
/**
 * Chunk periods one Query covers when a window is read in parallel parts: 64 days of one-minute
 * bars are ~0.5 MB, one page. Four parts at a time read 1,000,000 bars fastest here (measured on
 * DynamoDB Local sharing two cores with the reader: 8 or 16 at a time were slower, not faster).
 */
const PERIODS_PER_SEGMENT = 64;
const READ_CONCURRENCY = 4;
/** Parallel writes of one request: enough to hide DynamoDB's latency, few enough to stay polite. */
const CONCURRENCY = 8;
const MAX_WRITE_ATTEMPTS = 6;
/** How long a cached quote is kept for serving stale in an outage; TTL removes it after. */
const QUOTE_KEEP_SECONDS = 30 * 86_400;

const isConditionFailure = (e: unknown) => (e as { name?: string }).name === 'ConditionalCheckFailedException';

interface StoredChunk {
  bars: CandleColumns;
  version: number;
}

/** A chunk as read, still compressed. */
interface RawChunk {
  data: Uint8Array;
  bars: number;
  lastMs: number;
}

function rawChunkOf(item: Record<string, unknown>): RawChunk {
  if (item.codec !== CHUNK_CODEC) {
    throw new Error(`candle chunk ${String(item.SK)} has unknown codec ${String(item.codec)}`);
  }
  return { data: item.data as Uint8Array, bars: Number(item.bars), lastMs: Number(item.lastTime) };
}

function chunkOf(item: Record<string, unknown>): StoredChunk {
  if (item.codec !== CHUNK_CODEC)
    throw new Error(`candle chunk ${String(item.SK)} has unknown codec ${String(item.codec)}`);
  return { bars: decodeChunk(item.data as Uint8Array, Number(item.bars)), version: Number(item.version) };
}

/** Candles of one tenant, in chunks: see chunks.ts for the periods and the codec. */
export class DynamoCandleStore implements CandleStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: TenantScope,
  ) {}

  async write(series: SeriesKey, input: CandleColumns, nowMs: number): Promise<CandleWriteResult> {
    const bars = sortedUnique(input);
    if (!bars.length) return { bars: 0, chunks: 0 };
    const period = CHUNK_PERIOD[series.interval];
    const groups: Array<{ start: number; bars: CandleColumns }> = [];
    for (let i = 0; i < bars.length; ) {
      const start = periodStart(bars.time[i], period);
      const end = lowerBound(bars.time, nextPeriodStart(start, period));
      groups.push({ start, bars: sliceColumns(bars, i, end) });
      i = end;
    }
    const stored = await this.getChunks(
      series,
      groups.map((g) => g.start),
    );
    const added = await mapLimit(groups, CONCURRENCY, (g) => this.mergeChunk(series, g, stored.get(g.start), nowMs));
    await this.updateSeries(series, bars.time[0], bars.time[bars.length - 1], sum(added), nowMs);
    return { bars: bars.length, chunks: groups.length };
  }

  /** Writes one chunk merged with what is stored; a concurrent writer of the same chunk makes it merge again. */
  private async mergeChunk(
    series: SeriesKey,
    group: { start: number; bars: CandleColumns },
    found: StoredChunk | undefined,
    nowMs: number,
  ): Promise<number> {
    let stored = found;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const merged = stored ? mergeColumns(stored.bars, group.bars) : group.bars;
      const data = encodeChunk(merged);
      if (data.byteLength > MAX_ITEM_BYTES) throw new Error(`a candle chunk encoded to ${data.byteLength} bytes`);
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...keys.chunk(this.scope.tenantId, series, periodKey(group.start)),
              codec: CHUNK_CODEC,
              bars: merged.length,
              firstTime: merged.time[0],
              lastTime: merged.time[merged.length - 1],
              data,
              version: (stored?.version ?? 0) + 1,
              updatedAt: new Date(nowMs).toISOString(),
            },
            ConditionExpression: stored ? '#version = :version' : 'attribute_not_exists(PK)',
            ExpressionAttributeNames: stored ? { '#version': 'version' } : undefined,
            ExpressionAttributeValues: stored ? { ':version': stored.version } : undefined,
          }),
        );
        return merged.length - (stored?.bars.length ?? 0);
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        stored = (await this.getChunks(series, [group.start])).get(group.start);
      }
    }
    throw conflict('WRITE_CONFLICT', 'Candles of this series are being written concurrently; retry');
  }

  /** Stored chunks by period start, read consistently (a merge must see the latest version). */
  private async getChunks(series: SeriesKey, starts: readonly number[]): Promise<Map<number, StoredChunk>> {
    const out = new Map<number, StoredChunk>();
    const byKey = new Map(starts.map((start) => [keys.chunk(this.scope.tenantId, series, periodKey(start)).SK, start]));
    const items = await readBatches(
      this.db,
      this.table,
      starts.map((start) => keys.chunk(this.scope.tenantId, series, periodKey(start))),
      { consistent: true, concurrency: CONCURRENCY, attempts: MAX_WRITE_ATTEMPTS, what: 'a candle read' },
    );
    for (const item of items) {
      const start = byKey.get(String(item.SK));
      if (start !== undefined) out.set(start, chunkOf(item));
    }
    return out;
  }

  private async updateSeries(series: SeriesKey, firstMs: number, lastMs: number, added: number, nowMs: number) {
    const Key = keys.series(this.scope.tenantId, series);
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key,
        UpdateExpression: 'SET #symbol = :symbol, #interval = :interval, #updatedAt = :now ADD #bars :added',
        ExpressionAttributeNames: {
          '#symbol': 'symbol',
          '#interval': 'interval',
          '#updatedAt': 'updatedAt',
          '#bars': 'bars',
        },
        ExpressionAttributeValues: {
          ':symbol': series.symbol,
          ':interval': series.interval,
          ':now': new Date(nowMs).toISOString(),
          ':added': added,
        },
      }),
    );
    // Each bound only ever widens; the condition makes concurrent writers agree without a version.
    for (const [name, value, wider] of [
      ['firstTime', firstMs, '>'],
      ['lastTime', lastMs, '<'],
    ] as const) {
      await this.db
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key,
            UpdateExpression: 'SET #bound = :value',
            ConditionExpression: `attribute_not_exists(#bound) OR #bound ${wider} :value`,
            ExpressionAttributeNames: { '#bound': name },
            ExpressionAttributeValues: { ':value': value },
          }),
        )
        .catch((e: unknown) => {
          if (!isConditionFailure(e)) throw e;
        });
    }
  }

  private async seriesBounds(series: SeriesKey): Promise<{ firstMs: number; lastMs: number } | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.series(this.scope.tenantId, series) }),
    );
    const item = res.Item;
    if (!item || typeof item.firstTime !== 'number' || typeof item.lastTime !== 'number') return undefined;
    return { firstMs: item.firstTime, lastMs: item.lastTime };
  }

  /**
   * A window is clamped to what the series holds, cut into parts of PERIODS_PER_SEGMENT chunk
   * periods, and the parts are queried in parallel (each one page or two). The chunks stay
   * compressed until all are in; then one set of Float64Arrays of the total size is allocated and
   * every chunk decodes straight into it at its offset (codec.ts): no per-chunk arrays, no joining.
   */
  async read(series: SeriesKey, fromMs: number, toMs: number, limit?: number): Promise<CandleColumns> {
    const bounds = await this.seriesBounds(series);
    if (!bounds) return emptyColumns(0);
    const from = Math.max(fromMs, bounds.firstMs);
    const to = Math.min(toMs, bounds.lastMs);
    if (from > to || limit === 0) return emptyColumns(0);
    const starts = periodsBetween(from, to, CHUNK_PERIOD[series.interval]);
    const segments: Array<[number, number]> = [];
    for (let i = 0; i < starts.length; i += PERIODS_PER_SEGMENT) {
      segments.push([starts[i], starts[Math.min(i + PERIODS_PER_SEGMENT, starts.length) - 1]]);
    }
    const chunks: RawChunk[] = [];
    let found = 0;
    // Without a limit every part is read at once; with one, a few at a time until enough are in.
    const wave = limit === undefined ? segments.length : READ_CONCURRENCY;
    for (let i = 0; i < segments.length && (limit === undefined || found < limit); i += wave) {
      const parts = await mapLimit(segments.slice(i, i + wave), READ_CONCURRENCY, (segment) =>
        this.querySegment(series, segment),
      );
      for (const chunk of parts.flat()) {
        chunks.push(chunk);
        if (chunk.lastMs >= from) found += chunk.bars;
      }
    }
    const all = emptyColumns(chunks.reduce((sum, c) => sum + c.bars, 0));
    let at = 0;
    for (const chunk of chunks) {
      decodeChunkInto(chunk.data, chunk.bars, all, at);
      at += chunk.bars;
    }
    const window = sliceColumns(all, lowerBound(all.time, from), lowerBound(all.time, to + 1));
    return limit !== undefined && window.length > limit ? sliceColumns(window, 0, limit) : window;
  }

  private async querySegment(series: SeriesKey, [low, high]: [number, number]): Promise<RawChunk[]> {
    const first = keys.chunk(this.scope.tenantId, series, periodKey(low));
    const last = keys.chunk(this.scope.tenantId, series, periodKey(high));
    const out: RawChunk[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': first.PK, ':low': first.SK, ':high': last.SK },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) out.push(rawChunkOf(item));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async latest(series: SeriesKey, atMs: number, count: number): Promise<CandleColumns> {
    const upTo = keys.chunk(this.scope.tenantId, series, periodKey(periodStart(atMs, CHUNK_PERIOD[series.interval])));
    const parts: CandleColumns[] = [];
    let found = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK <= :upTo',
          ExpressionAttributeValues: { ':pk': upTo.PK, ':upTo': upTo.SK },
          ScanIndexForward: false,
          Limit: 2,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        if (found >= count) break;
        const bars = chunkOf(item).bars;
        const end = lowerBound(bars.time, atMs + 1);
        const take = sliceColumns(bars, Math.max(0, end - (count - found)), end);
        parts.unshift(take);
        found += take.length;
      }
      start = res.LastEvaluatedKey;
    } while (start && found < count);
    return parts.length ? concatColumns(parts) : emptyColumns(0);
  }

  /**
   * One BatchGetItem per 100 series for the chunk that holds `atMs` (where the latest bars of a
   * current series are); a series whose chunk is missing or holds too few bars falls back to the
   * per-series query. 500 holdings cost five batch reads instead of 500 queries.
   */
  async latestOfMany(series: readonly SeriesKey[], atMs: number, count: number): Promise<Map<string, CandleColumns>> {
    const out = new Map<string, CandleColumns>();
    const keyOf = (s: SeriesKey) =>
      keys.chunk(this.scope.tenantId, s, periodKey(periodStart(atMs, CHUNK_PERIOD[s.interval])));
    const byPk = new Map(series.map((s) => [keyOf(s).PK, s]));
    const items = await readBatches(this.db, this.table, series.map(keyOf), {
      concurrency: CONCURRENCY,
      attempts: MAX_WRITE_ATTEMPTS,
      what: 'a candle read',
    });
    for (const item of items) {
      const owner = byPk.get(String(item.PK));
      if (!owner) continue;
      const bars = chunkOf(item).bars;
      const end = lowerBound(bars.time, atMs + 1);
      if (end >= count) out.set(owner.symbol, sliceColumns(bars, end - count, end));
    }
    const rest = series.filter((s) => !out.has(s.symbol));
    await mapLimit(rest, CONCURRENCY, async (s) => {
      const bars = await this.latest(s, atMs, count);
      if (bars.length) out.set(s.symbol, bars);
    });
    return out;
  }

  async catalog(prefix: string, limit: number): Promise<SeriesInfo[]> {
    const { PK } = keys.series(this.scope.tenantId, { symbol: '', interval: '1day' });
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.seriesPrefix(prefix) },
        Limit: limit,
      }),
    );
    return (res.Items ?? [])
      .filter((item) => typeof item.firstTime === 'number' && typeof item.lastTime === 'number')
      .map((item) => ({
        symbol: String(item.symbol),
        interval: item.interval as SeriesInfo['interval'],
        bars: Number(item.bars ?? 0),
        firstTime: new Date(Number(item.firstTime)).toISOString(),
        lastTime: new Date(Number(item.lastTime)).toISOString(),
        updatedAt: String(item.updatedAt),
      }));
  }
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The tenant's quote cache: one item per symbol (no hot partition), read with BatchGetItem. */
export class DynamoQuoteCache implements QuoteCache {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: TenantScope,
  ) {}

  async get(symbols: readonly string[]): Promise<Map<string, CachedQuote>> {
    const out = new Map<string, CachedQuote>();
    const unique = [...new Set(symbols)];
    const items = await readBatches(
      this.db,
      this.table,
      unique.map((symbol) => keys.quote(this.scope.tenantId, symbol)),
      { concurrency: CONCURRENCY, attempts: MAX_WRITE_ATTEMPTS, what: 'a quote read' },
    );
    for (const item of items) {
      const quote = withoutKeys<CachedQuote>(item);
      if (quote) out.set(quote.symbol, quote);
    }
    return out;
  }

  async put(quotes: readonly CachedQuote[]): Promise<void> {
    if (!quotes.length) return;
    await writeBatches(
      this.db,
      this.table,
      quotes.map((quote) => ({
        PutRequest: {
          Item: {
            ...stripUndefined(quote),
            ...keys.quote(this.scope.tenantId, quote.symbol),
            ttl: Math.floor(Date.parse(quote.fetchedAt) / 1000) + QUOTE_KEEP_SECONDS,
          },
        },
      })),
      { what: 'the quote cache' },
    );
  }
}

function stripUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export class DynamoSyncStore implements SyncStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: TenantScope,
  ) {}

  async get(syncId: string): Promise<SyncRecord | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.sync(this.scope.tenantId, syncId), ConsistentRead: true }),
    );
    return withoutKeys<SyncRecord>(res.Item);
  }

  create(uow: UnitOfWork, sync: SyncRecord): void {
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, keys.sync(this.scope.tenantId, sync.syncId), { ...sync }), () =>
      conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
  }

  update(uow: UnitOfWork, sync: SyncRecord, expectedVersion: number): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, keys.sync(this.scope.tenantId, sync.syncId), stripUndefined(sync), expectedVersion),
      () => conflict('WRITE_CONFLICT', 'The sync changed meanwhile'),
    );
  }
}

export class DynamoEventStore implements EventStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: TenantScope,
  ) {}

  async putMany(events: readonly EconomicEvent[]): Promise<void> {
    const pk = keys.events(this.scope.tenantId);
    // One request per key: a file that lists an event twice keeps the last (BatchWriteItem refuses duplicates).
    const byKey = new Map(events.map((e) => [keys.event(e.time, e.eventId), e]));
    await writeBatches(
      this.db,
      this.table,
      [...byKey].map(([SK, e]) => ({ PutRequest: { Item: { ...stripUndefined(e), PK: pk, SK } } })),
      { what: 'the economic calendar' },
    );
  }

  list(query: EventQuery): Promise<Page<EconomicEvent>> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const clauses: string[] = [];
    if (query.country) {
      names['#country'] = 'country';
      values[':country'] = query.country;
      clauses.push('#country = :country');
    }
    if (query.importance) {
      names['#importance'] = 'importance';
      values[':importance'] = query.importance;
      clauses.push('#importance = :importance');
    }
    return queryPage<EconomicEvent>(this.db, {
      table: this.table,
      pk: keys.events(this.scope.tenantId),
      prefix: 'EVENT#',
      between: [keys.event(query.from, ''), keys.eventsUpTo(query.to)],
      forward: true,
      limit: query.limit,
      cursor: query.cursor,
      ...(clauses.length ? { filter: { expression: clauses.join(' AND '), names, values } } : {}),
    });
  }
}
