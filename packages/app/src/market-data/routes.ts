import { defineRoutes, type RouteUses } from '@ballast/platform/http/define-route.js';
import * as s from './schemas.js';

/**
 * What a route that reads prices from the tenant's provider touches: the data table (stored
 * candles, and the quote cache it writes for every Lambda to share), the control table (the
 * provider key's shared token bucket) and the tenant's secrets (the provider key). Routes of other
 * contexts that price something (portfolio holdings, summary) spread it into their `uses`.
 */
export const MARKET_DATA_USES = {
  control: 'write',
  data: 'write',
  secrets: ['tenant'],
} as const satisfies RouteUses;

/** Stored data only: candles, the calendar, sync records. */
const stored = { control: 'read', data: 'read' } as const;

const reader = { access: 'project', minTier: 'observer', roles: [] } as const;
/**
 * Market data is the tenant's, shared by all its projects (and by every portfolio's valuation):
 * only its admins change it, at a tier that may spend provider credits.
 */
const writer = { access: 'project', minTier: 'navigator', roles: ['admin'] } as const;

/**
 * Market data of a tenant: quotes and symbol search from its provider (routing kind
 * `market-data`), candles and the economic calendar from storage, uploads and provider syncs.
 * Calls need a project (X-Project-Id) like every tenant route, but the data is the tenant's: every
 * project of it reads the same candles.
 */
export const routes = defineRoutes('market-data', {
  quotes: {
    id: 'marketData.quotes',
    method: 'GET',
    path: '/v1/market-data/quotes',
    summary:
      'Latest prices of up to 50 symbols: the provider’s quote (cached 60 s for everyone) or, when it is down, ' +
      'the last cached quote marked stale, or the last stored daily close; 503 PROVIDER_UNAVAILABLE when none is known',
    ...reader,
    uses: MARKET_DATA_USES,
    request: { query: s.quotesQuery },
    responses: { 200: { description: 'The prices found, and the symbols without one', body: s.quotesAnswer } },
  },
  symbols: {
    id: 'marketData.symbols',
    method: 'GET',
    path: '/v1/market-data/symbols',
    summary: 'Search symbols at the provider (or, with provider `none`, among the stored series)',
    ...reader,
    uses: { ...MARKET_DATA_USES, data: 'read' },
    request: { query: s.symbolsQuery },
    responses: { 200: { description: 'Matches, best first', body: s.symbolsAnswer } },
  },
  candles: {
    id: 'marketData.candles',
    method: 'GET',
    path: '/v1/market-data/candles/{symbol}/{interval}',
    summary:
      'Stored bars, oldest first: from `from` on, or the newest ones up to `to`; at most `maxBars` (≤ 10,000), ' +
      'with `nextFrom` while more lie in the window',
    ...reader,
    uses: stored,
    request: { params: s.candleParams, query: s.candlesQuery },
    responses: { 200: { description: 'A window of bars', body: s.candlesAnswer } },
  },
  uploadCandles: {
    id: 'marketData.uploadCandles',
    method: 'PUT',
    path: '/v1/market-data/candles/{symbol}/{interval}',
    summary: 'Upload bars (JSON or a CSV file up to 5 MiB) into the stored series; a bar at a stored time replaces it',
    ...writer,
    uses: { control: 'write', data: 'write' },
    bodyTypes: ['application/json', 'text/csv'],
    maxBodyBytes: s.MAX_UPLOAD_BYTES,
    request: { params: s.candleParams, body: s.uploadCandlesBody },
    responses: { 200: { description: 'What was stored', body: s.uploadAnswer } },
  },
  createSync: {
    id: 'marketData.createSync',
    method: 'POST',
    path: '/v1/market-data/syncs',
    summary: 'Fetch a window of bars from the provider into storage, as a job (progress on the sync)',
    ...writer,
    uses: { control: 'write', data: 'write' },
    idempotent: true,
    request: { body: s.syncBody },
    responses: { 202: { description: 'Queued', body: s.sync, headers: ['Location'] } },
  },
  getSync: {
    id: 'marketData.getSync',
    method: 'GET',
    path: '/v1/market-data/syncs/{syncId}',
    summary: 'A sync and its progress',
    ...reader,
    uses: stored,
    request: { params: s.syncParams },
    responses: { 200: { description: 'The sync', body: s.sync } },
  },
  events: {
    id: 'marketData.events',
    method: 'GET',
    path: '/v1/market-data/events',
    summary: 'The economic calendar between `from` and `to`, oldest first',
    ...reader,
    uses: { ...stored, secrets: ['cursor'] },
    request: { query: s.eventsQuery },
    responses: { 200: { description: 'A page of events', body: s.eventsPage } },
  },
  importEvents: {
    id: 'marketData.importEvents',
    method: 'POST',
    path: '/v1/market-data/events',
    summary: 'Import calendar events (JSON or a CSV file up to 1 MiB); an event imported again is replaced',
    ...writer,
    uses: { control: 'write', data: 'write' },
    idempotent: true,
    bodyTypes: ['application/json', 'text/csv'],
    maxBodyBytes: s.MAX_EVENTS_BYTES,
    request: { body: s.importEventsBody },
    responses: { 200: { description: 'What was stored', body: s.importEventsAnswer } },
  },
});
