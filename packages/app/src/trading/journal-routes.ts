import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { MARKET_DATA_USES } from '../market-data/index.js';
import * as j from './journal-schemas.js';

/**
 * The manual journal: notes and trade logs are their author's (any member of the project, any
 * tier, acting for the verified user only); another member — or a user of another tenant — gets
 * 404 for them and never sees them listed. Notes are immutable: no PATCH or DELETE (405).
 */
const member = { access: 'project', minTier: 'observer', roles: [] } as const;
const reader = { ...member, uses: { control: 'read', data: 'read' } } as const;
const listed = { ...member, uses: { control: 'read', data: 'read', secrets: ['cursor'] } } as const;
/** control: the idempotency records */
const writer = { ...member, uses: { control: 'write', data: 'write' } } as const;
/** an open log's read prices it through market data */
const priced = { ...member, uses: MARKET_DATA_USES } as const;
/** creates something: a retry must never write it twice */
const once = { idempotent: true, idempotencyKey: 'required' } as const;

export const routes = defineRoutes('trading', {
  createNote: {
    id: 'journal.entries.create',
    method: 'POST',
    path: '/v1/journal/entries',
    summary:
      'Write a note in the journal (Idempotency-Key required): title, content, type, and optionally the order ' +
      'or fill it is about (422 TRADE_REFERENCE_NOT_FOUND), symbol, confidence and rating (1–5), lessons, tags. ' +
      'Notes are immutable and yours alone; `corrects` names an earlier note of yours this one corrects',
    ...writer,
    ...once,
    request: { body: j.noteBody },
    responses: { 201: { description: 'The note', body: j.noteEntry, headers: ['Location'] } },
  },
  getEntry: {
    id: 'journal.entries.get',
    method: 'GET',
    path: '/v1/journal/entries/{entryId}',
    summary:
      'One journal entry: a fill, or a note of yours with `corrects` (the note it corrects) and `corrections` ' +
      "(the notes correcting it, oldest first). Another user's note is 404",
    ...reader,
    request: { params: j.entryParams },
    responses: { 200: { description: 'The entry', body: j.anyEntry } },
  },
  createTradeLog: {
    id: 'journal.tradeLogs.create',
    method: 'POST',
    path: '/v1/journal/trade-logs',
    summary:
      'Log a trade by hand (Idempotency-Key required): side, entry, quantity, and optionally target and stop ' +
      '(a long: stop < entry < target; a short the other way; else 422 naming the field) — the risk-reward ' +
      'is computed from them',
    ...writer,
    ...once,
    request: { body: j.tradeLogBody },
    responses: { 201: { description: 'The trade log', body: j.tradeLogDetail, headers: ['ETag', 'Location'] } },
  },
  listTradeLogs: {
    id: 'journal.tradeLogs.list',
    method: 'GET',
    path: '/v1/journal/trade-logs',
    summary: 'Your trade logs in this project, newest first; `status` narrows them to open or closed',
    ...listed,
    request: { query: j.tradeLogQuery },
    responses: { 200: { description: 'A page of trade logs', body: j.tradeLogPage } },
  },
  getTradeLog: {
    id: 'journal.tradeLogs.get',
    method: 'GET',
    path: '/v1/journal/trade-logs/{tradeLogId}',
    summary:
      'One of your trade logs with its events; while open, the latest quote and the unrealised P&L at it ' +
      '(both null when market data has no price for the symbol)',
    ...priced,
    request: { params: j.tradeLogParams },
    responses: { 200: { description: 'The trade log', body: j.tradeLogDetail, headers: ['ETag'] } },
  },
  addTradeLogEvent: {
    id: 'journal.tradeLogs.events.create',
    method: 'POST',
    path: '/v1/journal/trade-logs/{tradeLogId}/events',
    summary:
      'Append an event (Idempotency-Key required; events are immutable): `adjust` moves the target, stop or ' +
      'quantity with a note; `close` records the exit and the realised P&L. A closed log takes no more ' +
      '(409 TRADE_LOG_CLOSED)',
    ...writer,
    ...once,
    request: { params: j.tradeLogParams, body: j.tradeLogEventBody },
    responses: { 201: { description: 'The trade log after', body: j.tradeLogDetail, headers: ['ETag', 'Location'] } },
  },
  getAnalysis: {
    id: 'journal.tradeLogs.analysis.get',
    method: 'GET',
    path: '/v1/journal/trade-logs/{tradeLogId}/analysis',
    summary:
      "A trade log's analysis: notes before, during and after, the emotional state, quality scores " +
      '(version 0 before the first write)',
    ...reader,
    request: { params: j.tradeLogParams },
    responses: { 200: { description: 'The analysis', body: j.analysis, headers: ['ETag'] } },
  },
  putAnalysis: {
    id: 'journal.tradeLogs.analysis.put',
    method: 'PUT',
    path: '/v1/journal/trade-logs/{tradeLogId}/analysis',
    summary:
      'Replace a trade log\'s analysis (If-Match; `"0"` before the first write): pre-, during- and post-trade ' +
      'notes, emotional state, execution, decision and risk-management quality (1–10)',
    ...writer,
    ifMatch: 'required',
    request: { params: j.tradeLogParams, body: j.analysisBody },
    responses: { 200: { description: 'The analysis as stored', body: j.analysis, headers: ['ETag'] } },
  },
});
