import type { BookState, EntryEffect, LedgerEntry } from '@ballast/core/ledger/index.js';
import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { TRANSACTION_SOURCES } from './ledger-schemas.js';

export type TransactionSource = (typeof TRANSACTION_SOURCES)[number];

/** A ledger entry as stored: the engine's entry plus who wrote it, why and what it did. */
export interface StoredEntry extends LedgerEntry {
  portfolioId: string;
  source: TransactionSource;
  settleDate?: string;
  note?: string;
  externalId?: string;
  /** the entry this one reverses; both then drop out of every replay */
  reversalOf?: string;
  /** the import that wrote it: it counts only once that import is committed */
  importId?: string;
  effect: EntryEffect;
  createdAt: string;
  createdBy: string;
}

/**
 * A portfolio's book: the engine's state (cash, positions and their FIFO lots) after every
 * counting entry, kept beside the ledger so holdings are read in one item, never replayed per read.
 * Its version moves with every entry; writers race on it and on the portfolio's version.
 */
export interface BookRecord {
  portfolioId: string;
  version: number;
  book: BookState;
  /** the source of each symbol's latest entry (csv, ibkr, manual, …) */
  sources: Record<string, TransactionSource>;
  /** the portfolio's cash when its ledger began (its creation cash): the first external flow */
  openingCash: string;
  /** the date the ledger began (the portfolio's creation date) */
  openedOn: string;
  /** Σ external flows of the entries after the opening cash (deposits, withdrawals, transfers; order-free) */
  netFlows: string;
  /** imports whose entries are written but not yet committed: readers leave their entries out */
  openImports: string[];
  updatedAt: string;
}

export interface EntryQuery extends PageRequest {
  symbol?: string;
  type?: string;
  from?: string;
  to?: string;
}

export type ImportStatus = 'committed' | 'rejected' | 'dry-run' | 'writing' | 'rolled-back';

export interface ImportRecord {
  importId: string;
  portfolioId: string;
  format: string;
  mode: 'all-or-nothing' | 'per-row';
  dryRun: boolean;
  status: ImportStatus;
  rowsRead: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  skipped: number;
  rejectedRows: Array<{ row: number; reason: string; field?: string }>;
  duplicateRows: Array<{ row: number; reason: string }>;
  /** ids of the entries it writes (so a retry or a rollback finds them without a scan) */
  entryIds?: string[];
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  createdBy: string;
  /** the Idempotency-Key (hashed) a retry of the same upload carries */
  requestKey?: string;
  version: number;
}

/** One project's ledgers, books and imports (the tenant and project are fixed by the scope). */
export interface LedgerStore {
  getBook(portfolioId: string): Promise<BookRecord | undefined>;
  /** every entry of the ledger that counts (committed), oldest first by (tradeDate, txId) */
  countingEntries(portfolioId: string, openImports: readonly string[]): Promise<StoredEntry[]>;
  /** a page of counting entries, newest trade date first */
  listEntries(portfolioId: string, query: EntryQuery, openImports: readonly string[]): Promise<Page<StoredEntry>>;
  /** an entry by id, whether or not it counts yet */
  getEntry(portfolioId: string, txId: string): Promise<StoredEntry | undefined>;
  /** the book, created at `expectedVersion` undefined, else replaced while still at it (409 otherwise) */
  putBook(uow: UnitOfWork, record: BookRecord, expectedVersion: number | undefined): void;
  appendEntry(uow: UnitOfWork, entry: StoredEntry): void;
  /** marks `txId` reversed by `reversalTxId`; a second reversal of it fails with 409 ALREADY_REVERSED */
  markReversed(uow: UnitOfWork, portfolioId: string, txId: string, reversalTxId: string): void;
  /** the reversal of `txId`, if it has one */
  reversalOf(portfolioId: string, txId: string): Promise<string | undefined>;
  /** writes an import's entries outside any transaction (they count only once it commits); idempotent */
  writeImportEntries(entries: readonly StoredEntry[]): Promise<void>;
  /** the entries an import wrote, committed or not (a rollback's list; reads the portfolio's ledger) */
  importEntries(portfolioId: string, importId: string): Promise<Array<{ txId: string; tradeDate: string }>>;
  /** removes the entries of an import that never committed */
  deleteImportEntries(portfolioId: string, entries: ReadonlyArray<{ txId: string; tradeDate: string }>): Promise<void>;
  getImport(portfolioId: string, importId: string): Promise<ImportRecord | undefined>;
  /** the import a retried upload (same Idempotency-Key) started */
  findImportByRequest(portfolioId: string, requestKey: string): Promise<ImportRecord | undefined>;
  listImports(portfolioId: string, page: PageRequest): Promise<Page<ImportRecord>>;
  /** creates (expectedVersion undefined) or replaces an import record while at `expectedVersion` */
  putImport(uow: UnitOfWork, record: ImportRecord, expectedVersion: number | undefined): void;
}
