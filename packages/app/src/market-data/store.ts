import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { CandleColumns } from './chunks.js';
import type { CandleInterval, ProviderQuote } from './provider.js';

/**
 * Market data belongs to a tenant, not to one of its projects: every project (and the portfolio
 * context) of the tenant reads the same candles, quotes and calendar. Stores take the tenant from
 * the verified request or job, never from input.
 */
export interface TenantScope {
  tenantId: string;
}

export interface SeriesKey {
  symbol: string;
  interval: CandleInterval;
}

/** What is stored of one series. */
export interface SeriesInfo extends SeriesKey {
  bars: number;
  /** ISO 8601: the first and last bar's open */
  firstTime: string;
  lastTime: string;
  updatedAt: string;
}

export interface CandleWriteResult {
  /** bars in the request (after de-duplication by time) */
  bars: number;
  /** stored chunks written */
  chunks: number;
}

/** Candles in chunks (chunks.ts); the stored bars are the cache of everything a provider sent. */
export interface CandleStore {
  /** merges bars into the stored series: a bar at a time already stored replaces it */
  write(series: SeriesKey, bars: CandleColumns, nowMs: number): Promise<CandleWriteResult>;
  /** bars with fromMs ≤ time ≤ toMs, oldest first; at most `limit` (the oldest ones) when given */
  read(series: SeriesKey, fromMs: number, toMs: number, limit?: number): Promise<CandleColumns>;
  /** the last `count` bars that opened at or before `atMs`, oldest first */
  latest(series: SeriesKey, atMs: number, count: number): Promise<CandleColumns>;
  /** `latest` for many series at once (a portfolio's holdings): keyed by symbol; empty when none */
  latestOfMany(series: readonly SeriesKey[], atMs: number, count: number): Promise<Map<string, CandleColumns>>;
  /** stored series whose symbol starts with `prefix` (the catalog a `none` provider searches) */
  catalog(prefix: string, limit: number): Promise<SeriesInfo[]>;
}

export interface CachedQuote extends ProviderQuote {
  /** when Ballast fetched it (ISO 8601): its age decides whether it is fresh */
  fetchedAt: string;
}

/** Quotes last fetched from the provider, in the tenant's data table: shared by every Lambda. */
export interface QuoteCache {
  get(symbols: readonly string[]): Promise<Map<string, CachedQuote>>;
  put(quotes: readonly CachedQuote[]): Promise<void>;
}

export type SyncStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface SyncRecord {
  syncId: string;
  tenantId: string;
  symbol: string;
  interval: CandleInterval;
  /** ISO 8601 bounds of the window asked for */
  from: string;
  to: string;
  status: SyncStatus;
  /** provider requests the window is cut into, and how many are done (progress) */
  chunksTotal: number;
  chunksDone: number;
  barsWritten: number;
  /** provider attempts that failed and were retried later */
  retries: number;
  error?: { code: string; message: string };
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  version: number;
}

export interface SyncStore {
  get(syncId: string): Promise<SyncRecord | undefined>;
  create(uow: UnitOfWork, sync: SyncRecord): void;
  /** replaces the record while it is at `expectedVersion` (a concurrent run loses, 409) */
  update(uow: UnitOfWork, sync: SyncRecord, expectedVersion: number): void;
}

export type Importance = 'low' | 'medium' | 'high';

export interface EconomicEvent {
  /** derived from time, country and title: a re-import of the same event replaces it */
  eventId: string;
  /** ISO 8601; a date-only event is at 00:00 UTC with `allDay` */
  time: string;
  allDay: boolean;
  country: string;
  currency?: string;
  title: string;
  importance: Importance;
  actual?: string;
  forecast?: string;
  previous?: string;
  unit?: string;
  source: 'csv' | 'api';
  importedAt: string;
}

export interface EventQuery extends PageRequest {
  /** ISO 8601, inclusive */
  from: string;
  to: string;
  country?: string;
  importance?: Importance;
}

export interface EventStore {
  /** upserts (same eventId replaces) */
  putMany(events: readonly EconomicEvent[]): Promise<void>;
  /** oldest first */
  list(query: EventQuery): Promise<Page<EconomicEvent>>;
}
