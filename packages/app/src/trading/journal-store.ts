import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { AnalysisBody, NoteType, TradeSide } from './journal-schemas.js';
import type { Venue } from './schemas.js';
import type { JournalEntry } from './store.js';

/** Most events one trade log holds (its read lists them all). */
export const MAX_TRADE_LOG_EVENTS = 200;

/** A manual journal entry: immutable once written, visible to its author only. */
export interface JournalNote {
  kind: 'note';
  entryId: string;
  projectId: string;
  /** the verified principal who wrote it */
  author: string;
  title: string;
  content: string;
  type: NoteType;
  tradeReference?: string;
  symbol?: string;
  confidence?: number;
  successRating?: number;
  lessonsLearned?: string;
  tags: string[];
  corrects?: string;
  at: string;
  /** title, content and tags, lower-cased: what `q` searches */
  searchText: string;
}

/** A fill entry as the journal lists it (`kind` filled in for entries stored before it existed). */
export type FillEntry = JournalEntry & { kind: 'fill' };
export type AnyEntry = FillEntry | JournalNote;

export interface EntryQuery extends PageRequest {
  /** whose notes may appear: the verified caller (never input) */
  viewer: string;
  kind?: 'fill' | 'note';
  /** lower-cased */
  q?: string;
  tag?: string;
  /** normalised ISO instants: at ≥ from, at < to */
  from?: string;
  to?: string;
  source?: Venue;
  accountId?: string;
  symbol?: string;
  strategy?: string;
}

export interface TradeLog {
  tradeLogId: string;
  projectId: string;
  author: string;
  symbol: string;
  type: TradeSide;
  entryPrice: string;
  entryDate: string;
  quantity: string;
  target?: string;
  stop?: string;
  strategy?: string;
  horizon?: 'intraday' | 'swing' | 'position' | 'long-term';
  conviction?: number;
  notes?: string;
  riskReward: string | null;
  status: 'open' | 'closed';
  exitPrice?: string;
  exitDate?: string;
  realisedPnl?: string;
  closedAt?: string;
  /** events appended so far (the next one is number eventCount + 1) */
  eventCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface TradeLogEvent {
  tradeLogId: string;
  seq: number;
  type: 'adjust' | 'close';
  target?: string;
  stop?: string;
  quantity?: string;
  exitPrice?: string;
  exitDate?: string;
  realisedPnl?: string;
  note?: string;
  at: string;
  by: string;
}

export type TradeAnalysis = AnalysisBody & { tradeLogId: string; version: number; updatedAt?: string };

/**
 * The manual journal of a project: notes beside the automatic entries (one list, `kind` tells
 * them apart), and each author's trade logs with their events and analyses. Every read that could
 * show a note or a log is keyed or filtered by its author.
 */
export interface JournalStore {
  getEntry(entryId: string): Promise<AnyEntry | undefined>;
  listEntries(query: EntryQuery): Promise<Page<AnyEntry>>;
  /** writes the note; one that corrects another also links them, while the original is still the author's note */
  appendNote(uow: UnitOfWork, note: JournalNote): void;
  /** the notes correcting a note, oldest first */
  corrections(entryId: string): Promise<Array<{ entryId: string; at: string }>>;

  getTradeLog(author: string, tradeLogId: string): Promise<TradeLog | undefined>;
  listTradeLogs(author: string, query: PageRequest & { status?: TradeLog['status'] }): Promise<Page<TradeLog>>;
  createTradeLog(uow: UnitOfWork, log: TradeLog): void;
  /** the log at its next version and its new event, while the log is still at `expectedVersion` */
  appendTradeLogEvent(uow: UnitOfWork, log: TradeLog, expectedVersion: number, event: TradeLogEvent): void;
  tradeLogEvents(author: string, tradeLogId: string): Promise<TradeLogEvent[]>;
  getAnalysis(author: string, tradeLogId: string): Promise<TradeAnalysis | undefined>;
  putAnalysis(uow: UnitOfWork, author: string, analysis: TradeAnalysis, expectedVersion: number | undefined): void;
}

/** What the author index holds of one user, across the tenant's projects (export and erasure). */
export interface AuthoredItems {
  notes: JournalNote[];
  corrections: Array<{ entryId: string; corrects: string; at: string; projectId: string }>;
  tradeLogs: TradeLog[];
  events: TradeLogEvent[];
  analyses: TradeAnalysis[];
}
