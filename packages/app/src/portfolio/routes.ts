import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { MARKET_DATA_USES } from '../market-data/index.js';
import * as l from './ledger-schemas.js';
import * as s from './schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const writer = { minTier: 'navigator', roles: ['trader', 'admin'], uses: { control: 'write', data: 'write' } } as const;
/** reads that value holdings on market data (quotes, stored closes, FX rates) */
const pricedReader = { ...reader, uses: { ...MARKET_DATA_USES, data: 'read' } } as const;
/** writes that may need an FX rate, and that move money: a retry must never apply them twice */
const ledgerWriter = {
  ...writer,
  uses: { ...MARKET_DATA_USES, data: 'write' },
  idempotent: true,
  idempotencyKey: 'required',
} as const;
const listed = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;

/** Portfolios ("vaults") of a project: read by every member, written by traders and admins. */
export const routes = defineRoutes('portfolio', {
  create: {
    id: 'portfolios.create',
    method: 'POST',
    path: '/v1/portfolios',
    summary: 'Create a portfolio',
    access: 'project',
    ...writer,
    idempotent: true,
    request: { body: s.createPortfolioBody },
    responses: { 201: { description: 'Created', body: s.portfolio, headers: ['ETag', 'Location'] } },
  },
  list: {
    id: 'portfolios.list',
    method: 'GET',
    path: '/v1/portfolios',
    summary: 'List portfolios, newest first',
    access: 'project',
    ...reader,
    uses: { ...reader.uses, secrets: ['cursor'] },
    request: { query: s.listQuery },
    responses: { 200: { description: 'A page of portfolios', body: s.portfolioPage } },
  },
  get: {
    id: 'portfolios.get',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}',
    summary: 'Read a portfolio',
    access: 'project',
    ...reader,
    request: { params: s.portfolioParams },
    responses: { 200: { description: 'The portfolio', body: s.portfolio, headers: ['ETag'] } },
  },
  patch: {
    id: 'portfolios.patch',
    method: 'PATCH',
    path: '/v1/portfolios/{portfolioId}',
    summary:
      'Update a portfolio (If-Match). The base currency changes only while cash is zero and only to a ' +
      'currency with the same minor unit (EUR → USD); otherwise 422 CURRENCY_CHANGE_REFUSED, even if cash is sent',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.portfolioParams, body: s.patchPortfolioBody },
    responses: { 200: { description: 'The portfolio as stored', body: s.portfolio, headers: ['ETag'] } },
  },
  delete: {
    id: 'portfolios.delete',
    method: 'DELETE',
    path: '/v1/portfolios/{portfolioId}',
    summary: 'Soft-delete a portfolio (If-Match); it is purged after its grace period',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.portfolioParams },
    responses: { 204: { description: 'Deleted' } },
  },
  recordTransaction: {
    id: 'transactions.create',
    method: 'POST',
    path: '/v1/portfolios/{portfolioId}/transactions',
    summary:
      'Record a ledger entry (Idempotency-Key required). The entry, its lots, the cash and the audit record are ' +
      'written together; 422 INSUFFICIENT_QUANTITY / INSUFFICIENT_CASH / FX_RATE_UNAVAILABLE with nothing written',
    access: 'project',
    ...ledgerWriter,
    request: { params: s.portfolioParams, body: l.transactionBody },
    responses: { 201: { description: 'Recorded', body: l.recorded, headers: ['Location'] } },
  },
  listTransactions: {
    id: 'transactions.list',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/transactions',
    summary: 'The ledger, newest trade date first; filter by symbol, type and trade-date range',
    access: 'project',
    ...listed,
    request: { params: s.portfolioParams, query: l.transactionQuery },
    responses: { 200: { description: 'A page of entries', body: l.transactionPage } },
  },
  getTransaction: {
    id: 'transactions.get',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/transactions/{txId}',
    summary: 'Read a ledger entry',
    access: 'project',
    ...reader,
    request: { params: l.transactionParams },
    responses: { 200: { description: 'The entry', body: l.transaction } },
  },
  reverseTransaction: {
    id: 'transactions.reverse',
    method: 'POST',
    path: '/v1/portfolios/{portfolioId}/transactions/{txId}/reverse',
    summary:
      'Reverse a ledger entry (Idempotency-Key required): writes a reversal referencing it and rebuilds the book as ' +
      'if it had never been entered; nothing is edited or deleted. 422 REVERSAL_REFUSED when a later entry needs it',
    access: 'project',
    ...ledgerWriter,
    request: { params: l.transactionParams, body: l.reverseBody },
    responses: { 201: { description: 'The reversal', body: l.recorded, headers: ['Location'] } },
  },
  listHoldings: {
    id: 'holdings.list',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/holdings',
    summary: 'Holdings valued at the latest price (provider quote, else the latest stored daily close)',
    access: 'project',
    ...pricedReader,
    request: { params: s.portfolioParams },
    responses: { 200: { description: 'The holdings', body: l.holdingsList } },
  },
  getHolding: {
    id: 'holdings.get',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/holdings/{symbol}',
    summary: 'One holding with its FIFO tax lots and its realised-gain history',
    access: 'project',
    ...pricedReader,
    request: { params: l.holdingParams },
    responses: { 200: { description: 'The holding', body: l.holdingDetail } },
  },
  summary: {
    id: 'portfolios.summary',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/summary',
    summary:
      'Value, cash, invested, total and day gain in the base currency; holdings with no price or FX rate are ' +
      'listed under `unpriced` and left out of the value',
    access: 'project',
    ...pricedReader,
    request: { params: s.portfolioParams },
    responses: { 200: { description: 'The summary', body: l.summary } },
  },
  performance: {
    id: 'portfolios.performance',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/performance',
    summary: 'Time-weighted and money-weighted (XIRR) return for a period, with a daily value series',
    access: 'project',
    ...pricedReader,
    request: { params: s.portfolioParams, query: l.performanceQuery },
    responses: { 200: { description: 'The performance', body: l.performance } },
  },
  importCsv: {
    id: 'imports.create',
    method: 'POST',
    path: '/v1/portfolios/{portfolioId}/imports',
    summary:
      'Import a CSV export (text/csv, up to 5 MB; Idempotency-Key required). All-or-nothing by default: one bad ' +
      'row and nothing is written (422 IMPORT_REJECTED with every refused row); dryRun=true only reports',
    access: 'project',
    ...ledgerWriter,
    bodyTypes: ['text/csv'],
    maxBodyBytes: 5 * 1024 * 1024,
    // a 10,000-row file (bench/portfolio.ts) needs more than the stage default
    timeoutSeconds: 29,
    request: { params: s.portfolioParams, query: l.importQuery, body: l.importBody },
    responses: {
      200: { description: 'Dry run: what would be imported', body: l.importRecord },
      201: { description: 'Imported', body: l.importRecord, headers: ['Location'] },
    },
  },
  listImports: {
    id: 'imports.list',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/imports',
    summary: 'The sync log: every import, newest first',
    access: 'project',
    ...listed,
    request: { params: s.portfolioParams, query: l.importListQuery },
    responses: { 200: { description: 'A page of imports', body: l.importPage } },
  },
  getImport: {
    id: 'imports.get',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/imports/{importId}',
    summary: 'One import: rows read, accepted, duplicates and rejected rows with their reasons, status, timings',
    access: 'project',
    ...reader,
    request: { params: l.importParams },
    responses: { 200: { description: 'The import', body: l.importRecord } },
  },
});
