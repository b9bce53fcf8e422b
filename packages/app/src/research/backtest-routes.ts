import { defineRoutes } from '@ballast/platform/http/define-route.js';
import * as s from './backtest-schemas.js';

const reader = {
  minTier: 'observer',
  roles: [],
  uses: { control: 'read', data: 'read', blobs: 'read' },
} as const;
const listed = { ...reader, uses: { control: 'read', data: 'read', secrets: ['cursor'] } } as const;
const blobPages = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;
const writer = {
  minTier: 'navigator',
  roles: ['trader', 'admin'],
  uses: { control: 'write', data: 'write', blobs: 'write' },
} as const;

/** Backtests on the tenant's stored candles: small ones in the request, large ones on the jobs spine. */
export const routes = defineRoutes('research', {
  createBacktest: {
    id: 'backtests.create',
    method: 'POST',
    path: '/v1/backtests',
    summary:
      "Backtest a strategy on the stored candles of a symbol in [from, to] with @ballast/core's simulator (a field " +
      'left out takes its default). Up to 200,000 bars it runs at once: 201 with the result. More: 202, and a job ' +
      'runs it (GET it for its progress). 422 NOT_ENOUGH_CANDLES with fewer than 2 bars',
    access: 'project',
    ...writer,
    idempotent: true,
    timeoutSeconds: 29,
    request: { body: s.backtestBody },
    responses: {
      201: { description: 'Run and stored', body: s.backtest, headers: ['Location'] },
      202: { description: 'Accepted: a job runs it', body: s.accepted, headers: ['Location'] },
    },
  },
  listBacktests: {
    id: 'backtests.list',
    method: 'GET',
    path: '/v1/backtests',
    summary: "The project's backtests, newest first: status, progress, request as run and metrics (no curve)",
    access: 'project',
    ...listed,
    request: { query: s.backtestQuery },
    responses: { 200: { description: 'A page of backtests', body: s.backtestPage } },
  },
  getBacktest: {
    id: 'backtests.get',
    method: 'GET',
    path: '/v1/backtests/{backtestId}',
    summary:
      'A backtest: status (pending|running|completed|failed), progress in bars, the request as run, metrics, money ' +
      'figures and a curve of at most 2,000 points that keeps the extremes',
    access: 'project',
    ...reader,
    request: { params: s.backtestParams },
    responses: { 200: { description: 'The backtest', body: s.backtest, headers: ['ETag'] } },
  },
  backtestTrades: {
    id: 'backtests.trades',
    method: 'GET',
    path: '/v1/backtests/{backtestId}/trades',
    summary:
      "A completed backtest's trade log, oldest first, in pages (prices and P&L as decimal strings). " +
      '409 BACKTEST_NOT_COMPLETED before it has one',
    access: 'project',
    ...blobPages,
    request: { params: s.backtestParams, query: s.tradeQuery },
    responses: { 200: { description: 'A page of trades', body: s.tradePage } },
  },
  backtestEquity: {
    id: 'backtests.equity',
    method: 'GET',
    path: '/v1/backtests/{backtestId}/equity',
    summary:
      'The full equity and drawdown curve, one point a bar (time, equity, drawdown): `format=json` (default, ' +
      'application/json) or `format=csv` (text/csv). At most 50,000 points an answer: `offset`, `count` and ' +
      '`nextOffset` walk a longer one',
    access: 'project',
    ...reader,
    request: { params: s.backtestParams, query: s.equityQuery },
    responses: {
      200: { description: 'The curve (JSON or CSV)', contentType: 'text/csv; charset=utf-8', body: s.equityAnswer },
    },
  },
  deleteBacktest: {
    id: 'backtests.delete',
    method: 'DELETE',
    path: '/v1/backtests/{backtestId}',
    summary:
      'Delete a backtest (If-Match): its record, curve and trade log. A pending one is cancelled; a running one ' +
      'answers 409 BACKTEST_RUNNING (until its job ends, or has been silent for 20 minutes)',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.backtestParams },
    responses: { 204: { description: 'Deleted' } },
  },
});
