import {
  applyEntry,
  type BookState,
  emptyBook,
  type EntryEffect,
  type LedgerEntry,
  LedgerRuleError,
  replayBook,
} from '@ballast/core/ledger/index.js';
import { type D, decimalString, formatMoney, money } from '@ballast/core/money.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, notFound } from '@ballast/platform/errors.js';
import type { PriceSource } from '../market-data/index.js';
import { newTransactionId } from './ids.js';
import type { TransactionBody } from './ledger-schemas.js';
import type { BookRecord, LedgerStore, StoredEntry, TransactionSource } from './ledger-store.js';
import type { Portfolio, PortfolioStore } from './store.js';

/** What the ledger's use cases need: the stores, FX rates, a unit of work, the clock and the caller. */
export interface LedgerDeps {
  portfolios: PortfolioStore;
  ledger: LedgerStore;
  prices: Pick<PriceSource, 'fxRate'>;
  unitOfWork(): UnitOfWork;
  now: number;
  /** who writes: the verified caller */
  actor: string;
  /** schedules the rollback of an import, were it abandoned half-written (in the same unit of work) */
  scheduleImportRollback?(uow: UnitOfWork, portfolioId: string, importId: string): void;
}

/**
 * How often a writer re-reads and retries when another writer moved the book first. Each round
 * one writer wins, so N concurrent writers need at most N rounds; the pause is jittered so they
 * do not collide again in lockstep.
 */
const MAX_ATTEMPTS = 40;
const retryPause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6))));

const isRace = (e: unknown) =>
  e instanceof AppError && ((e.status === 409 && e.code === 'WRITE_CONFLICT') || e.status === 412);

/** Runs `attempt` until it commits without losing a race (optimistic concurrency on the book's version). */
export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isRace(e) || n >= MAX_ATTEMPTS) throw e;
      await retryPause(n);
    }
  }
}

export async function livePortfolio(store: PortfolioStore, portfolioId: string): Promise<Portfolio> {
  const p = await store.get(portfolioId);
  if (!p || p.deletedAt) throw notFound('PORTFOLIO_NOT_FOUND', `No portfolio ${portfolioId}`);
  return p;
}

const dateOf = (iso: string) => iso.slice(0, 10);

/** The book of a portfolio with no entries yet: its creation cash is the opening balance. */
export function openingBook(p: Portfolio, nowIso: string): BookRecord {
  return {
    portfolioId: p.portfolioId,
    version: 0,
    book: emptyBook(p.baseCurrency, p.cash),
    sources: {},
    openingCash: p.cash,
    openedOn: dateOf(p.createdAt),
    netFlows: '0',
    openImports: [],
    updatedAt: nowIso,
  };
}

/** Entries that shape the book: a reversal and the entry it reverses both drop out. */
export function effectiveEntries<E extends StoredEntry>(entries: readonly E[]): E[] {
  const reversed = new Set(entries.flatMap((e) => (e.reversalOf ? [e.reversalOf, e.entryId] : [])));
  return entries.filter((e) => !reversed.has(e.entryId));
}

/** A rule the engine refused becomes a 422 naming the rule, with the engine's figures. */
export function ruleRefusal(e: unknown, row?: number): unknown {
  if (!(e instanceof LedgerRuleError)) return e;
  const status = e.code === 'INVALID_ENTRY' ? 400 : 422;
  const code = e.code === 'FX_RATE_REQUIRED' ? 'FX_RATE_UNAVAILABLE' : e.code;
  return new AppError(status, code, e.message, {
    extra: { ...e.details, entryId: e.entryId, ...(row !== undefined ? { row } : {}) },
  });
}

/** Base-currency units per unit of `currency`: the caller's confirmed rate, else the provider's, else 422. */
export async function fxRateFor(
  prices: Pick<PriceSource, 'fxRate'>,
  currency: string,
  base: string,
  given?: string,
): Promise<string | undefined> {
  if (currency === base) return undefined;
  if (given) return given;
  const found = await prices.fxRate(currency, base);
  if (!found) {
    throw new AppError(
      422,
      'FX_RATE_UNAVAILABLE',
      `No ${currency}→${base} rate is available from the market-data provider or stored candles; ` +
        'send fxRate with the transaction',
      { extra: { from: currency, to: base } },
    );
  }
  return found.rate;
}

/** The engine's entry for a request body. */
export function ledgerEntryOf(
  body: TransactionBody,
  entryId: string,
  currency: string,
  fxRate: string | undefined,
): LedgerEntry {
  const entry: LedgerEntry = { entryId, type: body.type, tradeDate: body.tradeDate, currency };
  for (const field of ['symbol', 'quantity', 'price', 'fee', 'amount', 'ratio'] as const) {
    const value = body[field];
    if (value !== undefined) entry[field] = value;
  }
  if (fxRate !== undefined) entry.fxRate = fxRate;
  return entry;
}

export function storedEntryOf(
  portfolioId: string,
  entry: LedgerEntry,
  body: Pick<TransactionBody, 'source' | 'settleDate' | 'note' | 'externalId'>,
  effect: EntryEffect,
  meta: { createdAt: string; createdBy: string; reversalOf?: string; importId?: string },
): StoredEntry {
  const stored: StoredEntry = { ...entry, portfolioId, source: body.source, effect, ...meta };
  if (body.settleDate !== undefined) stored.settleDate = body.settleDate;
  if (body.note !== undefined) stored.note = body.note;
  if (body.externalId !== undefined) stored.externalId = body.externalId;
  if (meta.reversalOf === undefined) delete stored.reversalOf;
  if (meta.importId === undefined) delete stored.importId;
  return stored;
}

/**
 * The book after adding `entries`: applied one by one when none is older than the book's last
 * trade date (FIFO order is then unchanged), else the whole ledger is replayed in date order so a
 * back-dated buy or sell takes the lots it would have taken on its date.
 */
export async function bookWith(
  ledger: LedgerStore,
  record: BookRecord,
  entries: readonly LedgerEntry[],
  allowNegativeCash: boolean,
): Promise<{ book: BookState; effects: EntryEffect[] }> {
  const last = record.book.lastTradeDate ?? '';
  const inOrder = entries.every((e, i) => e.tradeDate >= last && (i === 0 || e.tradeDate >= entries[i - 1].tradeDate));
  if (inOrder) {
    let book = record.book;
    const effects: EntryEffect[] = [];
    for (const entry of entries) {
      const applied = applyEntry(book, entry, { allowNegativeCash });
      book = applied.book;
      effects.push(applied.effect);
    }
    return { book, effects };
  }
  const existing = effectiveEntries(await ledger.countingEntries(record.portfolioId, record.openImports));
  const initial = emptyBook(record.book.baseCurrency, record.openingCash);
  const replayed = replayBook(initial, [...existing, ...entries], { allowNegativeCash });
  const mine = new Set(entries.map((e) => e.entryId));
  return { book: replayed.book, effects: replayed.effects.filter((e) => mine.has(e.entryId)) };
}

/** A BUY/SELL/… recorded: entry, book, portfolio cash and audit in one transaction. */
export async function recordTransaction(
  deps: LedgerDeps,
  portfolioId: string,
  body: TransactionBody,
): Promise<{ entry: StoredEntry; portfolio: Portfolio }> {
  const txId = newTransactionId(deps.now);
  return withRetries(async () => {
    const planned = await planTransaction(deps, portfolioId, body, txId);
    const uow = deps.unitOfWork();
    planned.stage(uow);
    await uow.commit();
    return { entry: planned.entry, portfolio: planned.portfolio };
  });
}

/** A ledger entry ready to be written: what it is, the portfolio after it, and its writes. */
export interface PlannedTransaction {
  entry: StoredEntry;
  portfolio: Portfolio;
  /** the book after it */
  book: BookState;
  /** stages the entry, the book, the portfolio's cash and the audit record (at the versions read) */
  stage(uow: UnitOfWork): void;
}

/**
 * Reads the book and decides one entry (the ledger's rules as 422s), without writing: the caller
 * stages it into its own unit of work, so a trade's fill, order, risk state and journal commit
 * with it or not at all. A lost race surfaces at commit; the caller re-plans (withRetries).
 */
export async function planTransaction(
  deps: Omit<LedgerDeps, 'unitOfWork'>,
  portfolioId: string,
  body: TransactionBody,
  txId: string,
): Promise<PlannedTransaction> {
  const nowIso = new Date(deps.now).toISOString();
  const portfolio = await livePortfolio(deps.portfolios, portfolioId);
  const record = (await deps.ledger.getBook(portfolioId)) ?? openingBook(portfolio, nowIso);
  const currency = body.currency ?? portfolio.baseCurrency;
  if (body.externalId !== undefined) await refuseDuplicate(deps.ledger, record, body.externalId);
  const fxRate = await fxRateFor(deps.prices, currency, portfolio.baseCurrency, body.fxRate);
  const entry = ledgerEntryOf(body, txId, currency, fxRate);
  let next: { book: BookState; effects: EntryEffect[] };
  try {
    next = await bookWith(deps.ledger, record, [entry], portfolio.allowNegativeCash === true);
  } catch (e) {
    throw ruleRefusal(e);
  }
  const stored = storedEntryOf(portfolioId, entry, body, next.effects[0], {
    createdAt: nowIso,
    createdBy: deps.actor,
  });
  const change: BookChange = {
    stage: (uow) => {
      deps.ledger.appendEntry(uow, stored);
      uow.audit({
        action: 'transaction.create',
        resource: `portfolio/${portfolioId}/transaction/${txId}`,
        after: stored,
      });
    },
    sources: entry.symbol ? { [entry.symbol]: body.source } : {},
    flowDelta: flowsOf(next.effects),
  };
  const after = bookAfter(portfolio, next.book, nowIso);
  return {
    entry: stored,
    portfolio: after,
    book: next.book,
    stage: (uow) => stageBook(deps, uow, portfolio, record, next.book, nowIso, change),
  };
}

async function refuseDuplicate(ledger: LedgerStore, record: BookRecord, externalId: string): Promise<void> {
  if (record.version === 0) return;
  const entries = await ledger.countingEntries(record.portfolioId, record.openImports);
  const twin = entries.find((e) => e.externalId === externalId && !e.reversalOf);
  if (twin) {
    throw new AppError(
      409,
      'DUPLICATE_TRANSACTION',
      `Transaction ${twin.entryId} already has externalId ${externalId}`,
      {
        extra: { txId: twin.entryId },
      },
    );
  }
}

export interface BookChange {
  /** stages the entries, markers and audit record that go with the change */
  stage(uow: UnitOfWork): void;
  /** the source of each symbol the change touched */
  sources?: Record<string, TransactionSource>;
  /** the imports still open afterwards (default: as they were) */
  openImports?: string[];
  /** what the change adds to the book's net external flows (signed) */
  flowDelta?: D;
}

/** Σ external flows of some effects. */
export const flowsOf = (effects: readonly EntryEffect[]) =>
  effects.reduce((sum, e) => (e.externalFlow ? sum.plus(money(e.externalFlow)) : sum), money('0'));

const bookAfter = (portfolio: Portfolio, book: BookState, nowIso: string): Portfolio => ({
  ...portfolio,
  cash: formatMoney(money(book.cash), portfolio.baseCurrency),
  updatedAt: nowIso,
  version: portfolio.version + 1,
});

/**
 * Stages the book and the portfolio's cash (both at the versions read) plus whatever the change
 * stages into `uow`, and returns the portfolio as it will be.
 */
function stageBook(
  deps: Pick<LedgerDeps, 'portfolios' | 'ledger'>,
  uow: UnitOfWork,
  portfolio: Portfolio,
  record: BookRecord,
  book: BookState,
  nowIso: string,
  change: BookChange,
): Portfolio {
  const nextRecord: BookRecord = {
    ...record,
    version: record.version + 1,
    book,
    sources: { ...record.sources, ...change.sources },
    openImports: change.openImports ?? record.openImports,
    netFlows: decimalString(money(record.netFlows).plus(change.flowDelta ?? money('0'))),
    updatedAt: nowIso,
  };
  deps.ledger.putBook(uow, nextRecord, record.version === 0 ? undefined : record.version);
  const after = bookAfter(portfolio, book, nowIso);
  deps.portfolios.update(uow, after, portfolio.version);
  change.stage(uow);
  return after;
}

/** The same in a unit of work of its own, committed by the caller. */
export function commitBook(
  deps: Pick<LedgerDeps, 'portfolios' | 'ledger' | 'unitOfWork'>,
  portfolio: Portfolio,
  record: BookRecord,
  book: BookState,
  nowIso: string,
  change: BookChange,
): { portfolio: Portfolio; commit(): Promise<void> } {
  const uow = deps.unitOfWork();
  const after = stageBook(deps, uow, portfolio, record, book, nowIso, change);
  return { portfolio: after, commit: () => uow.commit() };
}

/** Writes the reversal of `txId`: the book is replayed as if the original had never been entered. */
export async function reverseTransaction(
  deps: LedgerDeps,
  portfolioId: string,
  txId: string,
  note: string | undefined,
): Promise<{ entry: StoredEntry; portfolio: Portfolio }> {
  const nowIso = new Date(deps.now).toISOString();
  const reversalId = newTransactionId(deps.now);
  return withRetries(async () => {
    const portfolio = await livePortfolio(deps.portfolios, portfolioId);
    const record = await deps.ledger.getBook(portfolioId);
    const original = await deps.ledger.getEntry(portfolioId, txId);
    const counts = original && !(original.importId && record?.openImports.includes(original.importId));
    if (!record || !original || !counts) throw notFound('TRANSACTION_NOT_FOUND', `No transaction ${txId}`);
    if (original.reversalOf) {
      throw new AppError(422, 'CANNOT_REVERSE_REVERSAL', `${txId} is itself a reversal; enter the transaction again`);
    }
    if (await deps.ledger.reversalOf(portfolioId, txId)) {
      throw new AppError(409, 'ALREADY_REVERSED', `Transaction ${txId} has already been reversed`);
    }
    const remaining = effectiveEntries(await deps.ledger.countingEntries(portfolioId, record.openImports)).filter(
      (e) => e.entryId !== txId,
    );
    let book: BookState;
    try {
      book = replayBook(emptyBook(portfolio.baseCurrency, record.openingCash), remaining, {
        allowNegativeCash: portfolio.allowNegativeCash === true,
      }).book;
    } catch (e) {
      const refused = ruleRefusal(e);
      if (refused instanceof AppError) {
        throw new AppError(422, 'REVERSAL_REFUSED', `Reversing ${txId} would break a later entry: ${refused.message}`, {
          extra: { rule: refused.code, ...refused.extra },
        });
      }
      throw refused;
    }
    const cashDelta = money(book.cash).minus(money(record.book.cash));
    const { entryId: _id, effect: _effect, createdAt: _at, createdBy: _by, importId: _import, ...fields } = original;
    const reversal: StoredEntry = {
      ...fields,
      entryId: reversalId,
      tradeDate: dateOf(nowIso),
      reversalOf: txId,
      source: 'manual',
      effect: {
        entryId: reversalId,
        cashDelta: formatMoney(cashDelta, portfolio.baseCurrency),
        ...(original.effect.externalFlow ? { externalFlow: money(original.effect.externalFlow).neg().toFixed() } : {}),
      },
      createdAt: nowIso,
      createdBy: deps.actor,
      ...(note !== undefined ? { note } : {}),
    };
    if (note === undefined) delete reversal.note;
    const after = commitBook(deps, portfolio, record, book, nowIso, {
      stage: (uow) => {
        deps.ledger.appendEntry(uow, reversal);
        deps.ledger.markReversed(uow, portfolioId, txId, reversalId);
        uow.audit({
          action: 'transaction.reverse',
          resource: `portfolio/${portfolioId}/transaction/${txId}`,
          before: original,
          after: reversal,
        });
      },
      flowDelta: flowsOf([original.effect]).neg(),
    });
    await after.commit();
    return { entry: reversal, portfolio: after.portfolio };
  });
}
