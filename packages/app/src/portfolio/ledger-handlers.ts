import { emptyBook, replayBook } from '@ballast/core/ledger/index.js';
import { decimalString, formatMoney, money } from '@ballast/core/money.js';
import type { RequestContext } from '@ballast/platform/context/types.js';
import { notFound } from '@ballast/platform/errors.js';
import { importCsv, rollBackAbandonedImport } from './import-service.js';
import { IMPORT_ABANDONED_MS, jobs } from './jobs.js';
import {
  effectiveEntries,
  type LedgerDeps,
  livePortfolio,
  openingBook,
  recordTransaction,
  reverseTransaction,
} from './ledger-service.js';
import type { BookRecord, ImportRecord, StoredEntry } from './ledger-store.js';
import type { PortfolioHandler, PortfolioJobHandler, PricedPortfolioHandler, PricedPortfolioPorts } from './ports.js';
import type { routes } from './routes.js';
import type { Portfolio } from './store.js';
import { performanceOf, pct, valueBook } from './valuation.js';

type R = typeof routes;

interface RequestParts {
  ports: PricedPortfolioPorts;
  now: number;
  unitOfWork: LedgerDeps['unitOfWork'];
  ctx: RequestContext;
}

function ledgerDeps(h: RequestParts): LedgerDeps {
  return {
    portfolios: h.ports.portfolios,
    ledger: h.ports.ledger,
    prices: h.ports.prices,
    unitOfWork: h.unitOfWork,
    now: h.now,
    actor: h.ctx.principal.id,
    scheduleImportRollback: (uow, portfolioId, importId) =>
      h.ports.due.schedule(uow, {
        job: jobs.importRollback.id,
        tenantId: h.ctx.tenantId,
        env: h.ctx.env,
        projectId: h.ctx.projectId ?? '',
        workId: importId,
        dueAt: new Date(h.now + IMPORT_ABANDONED_MS).toISOString(),
        payload: { portfolioId, importId },
      }),
  };
}

/** The API's view of an entry: `txId` for the engine's `entryId`, no storage fields. */
function entryView(e: StoredEntry) {
  const { entryId, ...rest } = e;
  return { txId: entryId, ...rest };
}

function importView(r: ImportRecord) {
  const { requestKey: _key, version: _version, entryIds: _ids, ...rest } = r;
  return rest;
}

/** The portfolio's book, or the opening one if nothing was ever entered. */
async function bookOf(h: { ports: PricedPortfolioPorts; now: number }, portfolioId: string) {
  const portfolio = await livePortfolio(h.ports.portfolios, portfolioId);
  const record = (await h.ports.ledger.getBook(portfolioId)) ?? openingBook(portfolio, new Date(h.now).toISOString());
  return { portfolio, record };
}

const txLocation = (portfolioId: string, txId: string) => `/v1/portfolios/${portfolioId}/transactions/${txId}`;

export const createTransaction: PricedPortfolioHandler<R['recordTransaction']> = async ({ params, body }, h) => {
  const { entry, portfolio } = await recordTransaction(ledgerDeps(h), params.portfolioId, body);
  return {
    status: 201,
    body: { transaction: entryView(entry), cash: portfolio.cash, portfolioVersion: portfolio.version },
    headers: { Location: txLocation(params.portfolioId, entry.entryId) },
  };
};

export const listTransactions: PortfolioHandler<R['listTransactions']> = async ({ params, query }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const record = await h.ports.ledger.getBook(params.portfolioId);
  const page = await h.ports.ledger.listEntries(params.portfolioId, query, record?.openImports ?? []);
  return { status: 200, body: { items: page.items.map(entryView), nextCursor: page.nextCursor } };
};

export const getTransaction: PortfolioHandler<R['getTransaction']> = async ({ params }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const record = await h.ports.ledger.getBook(params.portfolioId);
  const entry = await h.ports.ledger.getEntry(params.portfolioId, params.txId);
  if (!entry || (entry.importId && record?.openImports.includes(entry.importId))) {
    throw notFound('TRANSACTION_NOT_FOUND', `No transaction ${params.txId}`);
  }
  return { status: 200, body: entryView(entry) };
};

export const reverse: PricedPortfolioHandler<R['reverseTransaction']> = async ({ params, body }, h) => {
  const { entry, portfolio } = await reverseTransaction(ledgerDeps(h), params.portfolioId, params.txId, body?.note);
  return {
    status: 201,
    body: { transaction: entryView(entry), cash: portfolio.cash, portfolioVersion: portfolio.version },
    headers: { Location: txLocation(params.portfolioId, entry.entryId) },
  };
};

export const listHoldings: PricedPortfolioHandler<R['listHoldings']> = async ({ params }, h) => {
  const { record } = await bookOf(h, params.portfolioId);
  const valued = await valueBook(record, h.ports.prices, new Date(h.now).toISOString());
  return { status: 200, body: { baseCurrency: valued.baseCurrency, asOf: valued.asOf, items: valued.holdings } };
};

/** Realised gains of one symbol, replayed from the ledger (a back-dated entry can change earlier sales' lots). */
async function realisedHistory(h: { ports: PricedPortfolioPorts }, record: BookRecord, symbol: string) {
  const entries = effectiveEntries(await h.ports.ledger.countingEntries(record.portfolioId, record.openImports));
  const { effects } = replayBook(emptyBook(record.book.baseCurrency, record.openingCash), entries, {
    allowNegativeCash: true,
  });
  const byId = new Map(entries.map((e) => [e.entryId, e]));
  return effects.flatMap((effect) => {
    const entry = byId.get(effect.entryId);
    if (!entry || entry.symbol !== symbol || !effect.realised) return [];
    const { quantity, proceeds, costBasis, gain } = effect.realised;
    return [{ txId: entry.entryId, tradeDate: entry.tradeDate, quantity, proceeds, costBasis, gain }];
  });
}

export const getHolding: PricedPortfolioHandler<R['getHolding']> = async ({ params }, h) => {
  const { record } = await bookOf(h, params.portfolioId);
  const position = record.book.positions[params.symbol];
  if (!position) throw notFound('HOLDING_NOT_FOUND', `No holding of ${params.symbol} in this portfolio`);
  const single: BookRecord = { ...record, book: { ...record.book, positions: { [params.symbol]: position } } };
  const valued = await valueBook(single, h.ports.prices, new Date(h.now).toISOString());
  const view = valued.holdings[0];
  if (!view) throw notFound('HOLDING_NOT_FOUND', `${params.symbol} is no longer held (see the ledger)`);
  return {
    status: 200,
    body: {
      ...view,
      weight: null,
      lots: position.lots.map((lot) => ({
        ...lot,
        unitCost: decimalString(money(lot.costBasis).div(money(lot.quantity))),
      })),
      realisedHistory: await realisedHistory(h, record, params.symbol),
    },
  };
};

function summaryOf(portfolio: Portfolio, record: BookRecord, valued: Awaited<ReturnType<typeof valueBook>>) {
  const base = portfolio.baseCurrency;
  const t = valued.totals;
  const round = (d: ReturnType<typeof money>) => formatMoney(d, base);
  const netContributions = money(record.openingCash).plus(money(record.netFlows));
  const totalGain = t.value.minus(netContributions);
  return {
    portfolioId: portfolio.portfolioId,
    baseCurrency: base,
    asOf: valued.asOf,
    value: round(t.value),
    cash: round(t.cash),
    invested: round(t.invested),
    netContributions: round(netContributions),
    totalGain: { amount: round(totalGain), pct: pct(totalGain, netContributions) },
    unrealisedGain: round(t.unrealised),
    realisedGain: round(t.realised),
    income: round(t.income),
    dayGain: { amount: round(t.dayGain), pct: pct(t.dayGain, t.previousValue) },
    holdings: valued.holdings.length,
    unpriced: valued.unpriced,
  };
}

export const getSummary: PricedPortfolioHandler<R['summary']> = async ({ params }, h) => {
  const { portfolio, record } = await bookOf(h, params.portfolioId);
  const valued = await valueBook(record, h.ports.prices, new Date(h.now).toISOString());
  return { status: 200, body: summaryOf(portfolio, record, valued) };
};

export const getPerformance: PricedPortfolioHandler<R['performance']> = async ({ params, query }, h) => {
  const { portfolio, record } = await bookOf(h, params.portfolioId);
  const stored = await h.ports.ledger.countingEntries(params.portfolioId, record.openImports);
  const asOf = new Date(h.now).toISOString().slice(0, 10);
  const view = await performanceOf(record, stored, h.ports.prices, query.period, asOf);
  return {
    status: 200,
    body: { portfolioId: portfolio.portfolioId, baseCurrency: portfolio.baseCurrency, period: query.period, ...view },
  };
};

export const createImport: PricedPortfolioHandler<R['importCsv']> = async ({ params, query, body, headers }, h) => {
  const { record, status } = await importCsv(ledgerDeps(h), params.portfolioId, body, {
    ...query,
    idempotencyKey: headers['idempotency-key'],
  });
  const view = importView(record);
  if (status === 200) return { status: 200, body: view };
  return {
    status: 201,
    body: view,
    headers: { Location: `/v1/portfolios/${params.portfolioId}/imports/${record.importId}` },
  };
};

export const listImports: PortfolioHandler<R['listImports']> = async ({ params, query }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const page = await h.ports.ledger.listImports(params.portfolioId, query);
  return { status: 200, body: { items: page.items.map(importView), nextCursor: page.nextCursor } };
};

export const getImport: PortfolioHandler<R['getImport']> = async ({ params }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const found = await h.ports.ledger.getImport(params.portfolioId, params.importId);
  if (!found) throw notFound('IMPORT_NOT_FOUND', `No import ${params.importId}`);
  return { status: 200, body: importView(found) };
};

/** Rolls back an import its Lambda left half-written, once it is abandoned (jobs.ts). */
export const rollBackImport: PortfolioJobHandler<(typeof jobs)['importRollback']> = (payload, h) =>
  rollBackAbandonedImport(
    { ledger: h.ports.ledger, unitOfWork: h.unitOfWork, now: h.now },
    payload.portfolioId,
    payload.importId,
  );
