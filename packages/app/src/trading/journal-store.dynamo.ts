import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeBatches } from '@ballast/platform/data/batch.js';
import { putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import {
  type AnyEntry,
  type AuthoredItems,
  type EntryQuery,
  type JournalNote,
  type JournalStore,
  MAX_TRADE_LOG_EVENTS,
  type TradeAnalysis,
  type TradeLog,
  type TradeLogEvent,
} from './journal-store.js';
import { JOURNAL_PREFIX, journalSk, projectPartition } from './store.dynamo.js';
import type { JournalEntry } from './store.js';

interface Scope {
  tenantId: string;
  projectId: string;
}

/**
 * Keys of the manual journal, tenant first everywhere (pooled table):
 * - notes are `JOURNAL#<entryId>` in the project's trading partition, beside the fills (one list);
 *   a correction also writes `JOURNALFIX#<original>#<correction>` there, so reading a note finds
 *   its corrections with one query;
 * - trade logs are in their author's partition of the project, `TENANT#t#PROJECT#p#TRADELOGS#<author>`:
 *   the log (`TRADELOG#<id>`), its events (`TRADELOGEVENT#<id>#<seq>`) and its analysis
 *   (`TRADELOGANALYSIS#<id>`) — another user's id is simply not there;
 * - everything an author wrote is also in GSI1 under `TENANT#t#JOURNALAUTHOR#<author>`, sorted
 *   `<projectId>#<SK>`: the export and the erasure of a user find it across projects without a scan.
 */
const authorIndexPk = (tenantId: string, author: string) => `TENANT#${tenantId}#JOURNALAUTHOR#${author}`;
const tradeLogPartition = (s: Scope, author: string) =>
  `TENANT#${s.tenantId}#PROJECT#${s.projectId}#TRADELOGS#${author}`;
const CORRECTION_PREFIX = 'JOURNALFIX#';
const correctionSk = (original: string, correction: string) => `${CORRECTION_PREFIX}${original}#${correction}`;
const LOG_PREFIX = 'TRADELOG#';
const EVENT_PREFIX = 'TRADELOGEVENT#';
const ANALYSIS_PREFIX = 'TRADELOGANALYSIS#';
const logSk = (tradeLogId: string) => `${LOG_PREFIX}${tradeLogId}`;
const eventSk = (tradeLogId: string, seq: number) => `${EVENT_PREFIX}${tradeLogId}#${String(seq).padStart(6, '0')}`;
const analysisSk = (tradeLogId: string) => `${ANALYSIS_PREFIX}${tradeLogId}`;

const MAX_CORRECTIONS = 1_000;

type StoredEntry = (JournalEntry & { kind?: 'fill' }) | JournalNote;
/** Every entry has a kind when read: one stored before notes existed is a fill. */
const withKind = (e: StoredEntry): AnyEntry => (e.kind === 'note' ? e : { ...e, kind: 'fill' });

interface Filter {
  clauses: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function entryFilter(q: EntryQuery): Filter {
  const f: Filter = {
    clauses: [],
    names: { '#kind': 'kind', '#author': 'author' },
    values: { ':note': 'note', ':me': q.viewer },
  };
  // another author's note never leaves the store, whatever else the query says
  f.clauses.push('(attribute_not_exists(#kind) OR #kind <> :note OR #author = :me)');
  if (q.kind === 'note') f.clauses.push('#kind = :note');
  if (q.kind === 'fill') f.clauses.push('(attribute_not_exists(#kind) OR #kind <> :note)');
  if (q.q !== undefined) {
    f.names['#search'] = 'searchText';
    f.values[':q'] = q.q;
    f.clauses.push('contains(#search, :q)');
  }
  if (q.tag !== undefined) {
    f.names['#tags'] = 'tags';
    f.values[':tag'] = q.tag;
    f.clauses.push('contains(#tags, :tag)');
  }
  if (q.from !== undefined || q.to !== undefined) f.names['#at'] = 'at';
  if (q.from !== undefined) {
    f.values[':from'] = q.from;
    f.clauses.push('#at >= :from');
  }
  if (q.to !== undefined) {
    f.values[':to'] = q.to;
    f.clauses.push('#at < :to');
  }
  const equal = { source: q.source, accountId: q.accountId, symbol: q.symbol, strategy: q.strategy };
  for (const [field, value] of Object.entries(equal)) {
    if (value === undefined) continue;
    f.names[`#e_${field}`] = field;
    f.values[`:e_${field}`] = value;
    f.clauses.push(`#e_${field} = :e_${field}`);
  }
  return f;
}

export class DynamoJournalStore implements JournalStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: Scope,
  ) {}

  private async get<T>(PK: string, SK: string): Promise<T | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: { PK, SK }, ConsistentRead: true }));
    return withoutKeys<T>(res.Item);
  }

  private indexed(author: string, SK: string) {
    return { GSI1PK: authorIndexPk(this.scope.tenantId, author), GSI1SK: `${this.scope.projectId}#${SK}` };
  }

  // --- entries ----------------------------------------------------------------------------

  async getEntry(entryId: string): Promise<AnyEntry | undefined> {
    const found = await this.get<StoredEntry>(projectPartition(this.scope), journalSk(entryId));
    return found ? withKind(found) : undefined;
  }

  async listEntries(query: EntryQuery): Promise<Page<AnyEntry>> {
    const f = entryFilter(query);
    const page = await queryPage<StoredEntry>(this.db, {
      table: this.table,
      pk: projectPartition(this.scope),
      prefix: JOURNAL_PREFIX,
      forward: false,
      limit: query.limit,
      cursor: query.cursor,
      filter: { expression: f.clauses.join(' AND '), names: f.names, values: f.values },
    });
    return { items: page.items.map(withKind), nextCursor: page.nextCursor };
  }

  appendNote(uow: UnitOfWork, note: JournalNote): void {
    const u = dynamoUnitOfWork(uow);
    const PK = projectPartition(this.scope);
    const SK = journalSk(note.entryId);
    u.stage(putIfAbsent(this.table, { PK, SK }, { ...note, ...this.indexed(note.author, SK) }), () =>
      conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
    if (!note.corrects) return;
    // the original must still be this author's note when the correction commits (an erasure may race it)
    u.stage(
      {
        ConditionCheck: {
          TableName: this.table,
          Key: { PK, SK: journalSk(note.corrects) },
          ConditionExpression: 'attribute_exists(PK) AND #kind = :note AND #author = :author',
          ExpressionAttributeNames: { '#kind': 'kind', '#author': 'author' },
          ExpressionAttributeValues: { ':note': 'note', ':author': note.author },
        },
      },
      () => notFound('JOURNAL_ENTRY_NOT_FOUND', `No journal entry ${note.corrects}`),
    );
    const link = correctionSk(note.corrects, note.entryId);
    u.stage(
      putIfAbsent(
        this.table,
        { PK, SK: link },
        {
          entryId: note.entryId,
          corrects: note.corrects,
          projectId: note.projectId,
          at: note.at,
          ...this.indexed(note.author, link),
        },
      ),
    );
  }

  async corrections(entryId: string): Promise<Array<{ entryId: string; at: string }>> {
    const links = await queryAll<{ entryId: string; at: string }>(this.db, {
      table: this.table,
      pk: projectPartition(this.scope),
      prefix: `${CORRECTION_PREFIX}${entryId}#`,
      maxItems: MAX_CORRECTIONS,
    });
    return links.map((l) => ({ entryId: l.entryId, at: l.at }));
  }

  // --- trade logs -------------------------------------------------------------------------

  getTradeLog(author: string, tradeLogId: string): Promise<TradeLog | undefined> {
    return this.get<TradeLog>(tradeLogPartition(this.scope, author), logSk(tradeLogId));
  }

  listTradeLogs(author: string, query: PageRequest & { status?: TradeLog['status'] }): Promise<Page<TradeLog>> {
    return queryPage<TradeLog>(this.db, {
      table: this.table,
      pk: tradeLogPartition(this.scope, author),
      prefix: LOG_PREFIX,
      forward: false,
      limit: query.limit,
      cursor: query.cursor,
      ...(query.status
        ? {
            filter: {
              expression: '#status = :status',
              names: { '#status': 'status' },
              values: { ':status': query.status },
            },
          }
        : {}),
    });
  }

  createTradeLog(uow: UnitOfWork, log: TradeLog): void {
    const SK = logSk(log.tradeLogId);
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(
        this.table,
        { PK: tradeLogPartition(this.scope, log.author), SK },
        { ...log, ...this.indexed(log.author, SK) },
      ),
      () => conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
  }

  appendTradeLogEvent(uow: UnitOfWork, log: TradeLog, expectedVersion: number, event: TradeLogEvent): void {
    const u = dynamoUnitOfWork(uow);
    const PK = tradeLogPartition(this.scope, log.author);
    const SK = logSk(log.tradeLogId);
    u.stage(versionedPut(this.table, { PK, SK }, { ...log, ...this.indexed(log.author, SK) }, expectedVersion), () =>
      conflict('WRITE_CONFLICT', 'The trade log changed concurrently; re-read and retry'),
    );
    const eventKey = eventSk(event.tradeLogId, event.seq);
    u.stage(putIfAbsent(this.table, { PK, SK: eventKey }, { ...event, ...this.indexed(log.author, eventKey) }), () =>
      conflict('WRITE_CONFLICT', 'The trade log changed concurrently; re-read and retry'),
    );
  }

  tradeLogEvents(author: string, tradeLogId: string): Promise<TradeLogEvent[]> {
    return queryAll<TradeLogEvent>(this.db, {
      table: this.table,
      pk: tradeLogPartition(this.scope, author),
      prefix: `${EVENT_PREFIX}${tradeLogId}#`,
      maxItems: MAX_TRADE_LOG_EVENTS,
    });
  }

  getAnalysis(author: string, tradeLogId: string): Promise<TradeAnalysis | undefined> {
    return this.get<TradeAnalysis>(tradeLogPartition(this.scope, author), analysisSk(tradeLogId));
  }

  putAnalysis(uow: UnitOfWork, author: string, analysis: TradeAnalysis, expectedVersion: number | undefined): void {
    const SK = analysisSk(analysis.tradeLogId);
    dynamoUnitOfWork(uow).stage(
      versionedPut(
        this.table,
        { PK: tradeLogPartition(this.scope, author), SK },
        { ...analysis, ...this.indexed(author, SK) },
        expectedVersion,
      ),
      () => preconditionFailed('The analysis changed since you read it; re-read and retry'),
    );
  }
}

// --- one author across the tenant's projects (export and erasure) ----------------------------

type Kind = keyof AuthoredItems;

/** What an item of the author index is, from its sort key. */
function kindOf(SK: string): Kind | undefined {
  if (SK.startsWith(JOURNAL_PREFIX)) return 'notes';
  if (SK.startsWith(CORRECTION_PREFIX)) return 'corrections';
  if (SK.startsWith(LOG_PREFIX)) return 'tradeLogs';
  if (SK.startsWith(EVENT_PREFIX)) return 'events';
  if (SK.startsWith(ANALYSIS_PREFIX)) return 'analyses';
  return undefined;
}

/** Items read a page at a time from the index. */
const INDEX_PAGE = 100;

export class DynamoJournalAuthorIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly tenantId: string,
  ) {}

  private async page(author: string, start: Record<string, unknown> | undefined) {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': authorIndexPk(this.tenantId, author) },
        Limit: INDEX_PAGE,
        ExclusiveStartKey: start,
      }),
    );
    return { items: res.Items ?? [], next: res.LastEvaluatedKey };
  }

  /** Everything the author wrote in the tenant, by kind, in project then key order. */
  async collect(author: string): Promise<AuthoredItems> {
    const out: AuthoredItems = { notes: [], corrections: [], tradeLogs: [], events: [], analyses: [] };
    let start: Record<string, unknown> | undefined;
    do {
      const { items, next } = await this.page(author, start);
      for (const item of items) {
        const kind = kindOf(String(item.SK));
        const value = withoutKeys<never>(item);
        if (kind && value) out[kind].push(value);
      }
      start = next;
    } while (start);
    return out;
  }

  /**
   * Deletes the author's items a page at a time (deletes are harmless to repeat) until none is
   * left or `spent()` says the request's budget is used up; counts what it deleted, by kind.
   */
  async erase(author: string, spent: () => boolean): Promise<{ done: boolean; erased: Record<Kind, number> }> {
    const erased: Record<Kind, number> = { notes: 0, corrections: 0, tradeLogs: 0, events: 0, analyses: 0 };
    let start: Record<string, unknown> | undefined;
    do {
      const { items, next } = await this.page(author, start);
      const deletes = items.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } }));
      await writeBatches(this.db, this.table, deletes, { what: 'erasing journal items' });
      for (const item of items) {
        const kind = kindOf(String(item.SK));
        if (kind) erased[kind] += 1;
      }
      start = next;
      // checked after a page, never before one: every run makes progress
      if (start && spent()) return { done: false, erased };
    } while (start);
    return { done: true, erased };
  }
}
