import { AppError, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { withRetries } from '../portfolio/index.js';
import { newTradeLogId } from './ids.js';
import { authorOf } from './journal-handlers.js';
import type { routes } from './journal-routes.js';
import type { TradeLogEventBody } from './journal-schemas.js';
import {
  type JournalStore,
  MAX_TRADE_LOG_EVENTS,
  type TradeAnalysis,
  type TradeLog,
  type TradeLogEvent,
} from './journal-store.js';
import type { TradingHandler, TradingPorts } from './ports.js';
import { levelErrors, pnlAt, riskRewardOf } from './trade-logs.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();
const logPath = (id: string) => `/v1/journal/trade-logs/${id}`;

const tradeLogNotFound = (id: string) => notFound('TRADE_LOG_NOT_FOUND', `No trade log ${id}`);
const tradeLogClosed = (id: string) =>
  conflict('TRADE_LOG_CLOSED', `Trade log ${id} is closed: it takes no more events`);

function invalid(detail: string, errors: Array<{ path: string; message: string }>): AppError {
  return new AppError(422, 'TRADE_LOG_INVALID', detail, { errors });
}

/** The caller's own log: another user's id is the same 404 as one that names nothing. */
async function ownLog(store: JournalStore, author: string, tradeLogId: string): Promise<TradeLog> {
  const log = await store.getTradeLog(author, tradeLogId);
  if (!log) throw tradeLogNotFound(tradeLogId);
  return log;
}

function logView(log: TradeLog) {
  const { projectId: _project, eventCount: _events, ...shown } = log;
  return shown;
}

function eventView(event: TradeLogEvent) {
  const { tradeLogId: _log, by: _by, ...shown } = event;
  return shown;
}

export const createTradeLog: TradingHandler<R['createTradeLog']> = async ({ body }, h) => {
  const author = authorOf(h.ctx);
  const errors = levelErrors(body);
  if (errors.length) throw invalid('The target and stop must sit on either side of the entry', errors);
  const at = iso(h.now);
  const log: TradeLog = {
    tradeLogId: newTradeLogId(h.now),
    projectId: h.ctx.projectId ?? '',
    author,
    symbol: body.symbol,
    type: body.type,
    entryPrice: body.entryPrice,
    entryDate: body.entryDate,
    quantity: body.quantity,
    ...(body.target ? { target: body.target } : {}),
    ...(body.stop ? { stop: body.stop } : {}),
    ...(body.strategy ? { strategy: body.strategy } : {}),
    ...(body.horizon ? { horizon: body.horizon } : {}),
    ...(body.conviction !== undefined ? { conviction: body.conviction } : {}),
    ...(body.notes ? { notes: body.notes } : {}),
    riskReward: riskRewardOf(body),
    status: 'open',
    eventCount: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.journal.createTradeLog(uow, log);
  uow.audit({ action: 'journal.tradeLog.create', resource: `trade-log/${log.tradeLogId}` });
  await uow.commit();
  return {
    status: 201,
    body: { ...logView(log), events: [] },
    headers: { ETag: etag(log.version), Location: logPath(log.tradeLogId) },
  };
};

export const listTradeLogs: TradingHandler<R['listTradeLogs']> = async ({ query }, h) => {
  const page = await h.ports.journal.listTradeLogs(authorOf(h.ctx), query);
  return { status: 200, body: { items: page.items.map(logView), nextCursor: page.nextCursor } };
};

/** The latest price of the symbol, or null when market data has none (or the tenant has no market data). */
async function quoteOf(ports: TradingPorts, symbol: string) {
  try {
    const found = (await ports.prices.latest([symbol])).get(symbol);
    if (!found) return null;
    return {
      price: found.price,
      ...(found.currency ? { currency: found.currency } : {}),
      asOf: found.asOf,
      stale: found.stale,
      source: found.source,
    };
  } catch (e) {
    if (e instanceof AppError && e.status === 503) return null;
    throw e;
  }
}

export const getTradeLog: TradingHandler<R['getTradeLog']> = async ({ params }, h) => {
  const author = authorOf(h.ctx);
  const log = await ownLog(h.ports.journal, author, params.tradeLogId);
  const events = (await h.ports.journal.tradeLogEvents(author, log.tradeLogId)).map(eventView);
  const headers = { ETag: etag(log.version) };
  if (log.status === 'closed') return { status: 200, body: { ...logView(log), events }, headers };
  const quote = await quoteOf(h.ports, log.symbol);
  const unrealisedPnl = quote ? pnlAt(log.type, log.entryPrice, quote.price, log.quantity) : null;
  return { status: 200, body: { ...logView(log), events, quote, unrealisedPnl }, headers };
};

/** The log after the event, and the event as stored; a refusal names the field it refuses. */
function applyEvent(log: TradeLog, body: TradeLogEventBody, at: string, by: string): [TradeLog, TradeLogEvent] {
  const seq = log.eventCount + 1;
  const base = { tradeLogId: log.tradeLogId, seq, at, by, ...(body.note ? { note: body.note } : {}) };
  const next = { ...log, eventCount: seq, updatedAt: at, version: log.version + 1 };
  if (body.type === 'adjust') {
    // the levels that stay were checked when they were set; the entry never moves
    const errors = levelErrors({ type: log.type, entryPrice: log.entryPrice, target: body.target, stop: body.stop });
    if (errors.length) throw invalid('The new target and stop must sit on either side of the entry', errors);
    const changed = {
      ...(body.target ? { target: body.target } : {}),
      ...(body.stop ? { stop: body.stop } : {}),
      ...(body.quantity ? { quantity: body.quantity } : {}),
    };
    return [
      { ...next, ...changed, riskReward: riskRewardOf({ ...log, ...changed }) },
      { ...base, type: 'adjust', ...changed },
    ];
  }
  if (Date.parse(body.exitDate) < Date.parse(log.entryDate)) {
    throw invalid('A trade cannot end before it started', [
      { path: 'body.exitDate', message: `must not be before the entry date ${log.entryDate}` },
    ]);
  }
  const realisedPnl = pnlAt(log.type, log.entryPrice, body.exitPrice, log.quantity);
  const exit = { exitPrice: body.exitPrice, exitDate: body.exitDate, realisedPnl };
  return [
    { ...next, ...exit, status: 'closed', closedAt: at },
    { ...base, type: 'close', ...exit },
  ];
}

export const addTradeLogEvent: TradingHandler<R['addTradeLogEvent']> = async ({ params, body }, h) => {
  const author = authorOf(h.ctx);
  const at = iso(h.now);
  // two events at once: the version condition lets one win; the other re-reads (a second close then meets 409)
  const after = await withRetries(async () => {
    const before = await ownLog(h.ports.journal, author, params.tradeLogId);
    if (before.status === 'closed') throw tradeLogClosed(before.tradeLogId);
    if (before.eventCount >= MAX_TRADE_LOG_EVENTS) {
      throw conflict('TRADE_LOG_FULL', `Trade log ${before.tradeLogId} holds ${MAX_TRADE_LOG_EVENTS} events, the most`);
    }
    const [next, event] = applyEvent(before, body, at, author);
    const uow = h.unitOfWork();
    h.ports.journal.appendTradeLogEvent(uow, next, before.version, event);
    uow.audit({
      action: `journal.tradeLog.${event.type}`,
      resource: `trade-log/${before.tradeLogId}`,
      after: { seq: event.seq },
    });
    await uow.commit();
    return next;
  });
  const events = (await h.ports.journal.tradeLogEvents(author, after.tradeLogId)).map(eventView);
  return {
    status: 201,
    body: { ...logView(after), events },
    headers: { ETag: etag(after.version), Location: logPath(after.tradeLogId) },
  };
};

const analysisOrEmpty = (tradeLogId: string, stored: TradeAnalysis | undefined): TradeAnalysis =>
  stored ?? { tradeLogId, version: 0 };

export const getAnalysis: TradingHandler<R['getAnalysis']> = async ({ params }, h) => {
  const author = authorOf(h.ctx);
  await ownLog(h.ports.journal, author, params.tradeLogId);
  const analysis = analysisOrEmpty(params.tradeLogId, await h.ports.journal.getAnalysis(author, params.tradeLogId));
  return { status: 200, body: analysis, headers: { ETag: etag(analysis.version) } };
};

export const putAnalysis: TradingHandler<R['putAnalysis']> = async ({ params, body, ifMatch }, h) => {
  const author = authorOf(h.ctx);
  await ownLog(h.ports.journal, author, params.tradeLogId);
  const stored = await h.ports.journal.getAnalysis(author, params.tradeLogId);
  const before = analysisOrEmpty(params.tradeLogId, stored);
  if (before.version !== ifMatch) throw preconditionFailed(`The analysis is at version ${before.version}`);
  const after: TradeAnalysis = {
    ...body,
    tradeLogId: params.tradeLogId,
    version: before.version + 1,
    updatedAt: iso(h.now),
  };
  const uow = h.unitOfWork();
  h.ports.journal.putAnalysis(uow, author, after, stored?.version);
  uow.audit({
    action: 'journal.tradeLog.analysis',
    resource: `trade-log/${params.tradeLogId}`,
    after: { version: after.version },
  });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};
