import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeBatches } from '@ballast/platform/data/batch.js';
import { putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, conflict } from '@ballast/platform/errors.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { BookRecord, EntryQuery, ImportRecord, LedgerStore, StoredEntry } from './ledger-store.js';
import type { ProjectScope } from './store.js';

/**
 * One partition per portfolio, tenant first: its book, its ledger (sorted by trade date, so a date
 * range is a key condition), an id → trade date pointer per entry, reversal markers and imports.
 */
const partition = (scope: ProjectScope, portfolioId: string) =>
  `TENANT#${scope.tenantId}#PROJECT#${scope.projectId}#PORTFOLIO#${portfolioId}`;
const BOOK_SK = 'BOOK';
const ENTRY_PREFIX = 'TX#';
const entrySk = (tradeDate: string, txId: string) => `TX#${tradeDate}#${txId}`;
const pointerSk = (txId: string) => `TXID#${txId}`;
const reversalSk = (txId: string) => `REVERSED#${txId}`;
const IMPORT_PREFIX = 'IMPORT#';
const importSk = (importId: string) => `IMPORT#${importId}`;
const importRequestSk = (requestKey: string) => `IMPORTREQ#${requestKey}`;

/** DynamoDB refuses items over 400 KB; the book stays well under it or the write is refused as a rule. */
const MAX_BOOK_BYTES = 350_000;

interface BookBlob {
  book: BookRecord['book'];
  sources: BookRecord['sources'];
  openingCash: string;
  openedOn: string;
  netFlows?: string;
}

/** Leaves out the entries of imports that are written but not committed. */
function countingFilter(openImports: readonly string[], extra: string[] = []) {
  const clauses = [...extra];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  if (openImports.length) {
    const placeholders = openImports.map((id, i) => {
      values[`:open${i}`] = id;
      return `:open${i}`;
    });
    names['#importId'] = 'importId';
    clauses.push(`(attribute_not_exists(#importId) OR NOT (#importId IN (${placeholders.join(', ')})))`);
  }
  return { clauses, values, names };
}

export class DynamoLedgerStore implements LedgerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: ProjectScope,
  ) {}

  private pk(portfolioId: string) {
    return partition(this.scope, portfolioId);
  }

  private async getItem(portfolioId: string, sk: string) {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { PK: this.pk(portfolioId), SK: sk }, ConsistentRead: true }),
    );
    return res.Item;
  }

  async getBook(portfolioId: string): Promise<BookRecord | undefined> {
    const item = await this.getItem(portfolioId, BOOK_SK);
    if (!item) return undefined;
    const blob = JSON.parse(gunzipSync(item.data as Uint8Array).toString('utf8')) as BookBlob;
    return {
      portfolioId,
      version: item.version as number,
      openImports: (item.openImports as string[] | undefined) ?? [],
      updatedAt: item.updatedAt as string,
      ...blob,
      netFlows: blob.netFlows ?? '0',
    };
  }

  putBook(uow: UnitOfWork, record: BookRecord, expectedVersion: number | undefined): void {
    const blob: BookBlob = {
      book: record.book,
      sources: record.sources,
      openingCash: record.openingCash,
      openedOn: record.openedOn,
      netFlows: record.netFlows,
    };
    const data = gzipSync(JSON.stringify(blob));
    if (data.byteLength > MAX_BOOK_BYTES) {
      throw new AppError(
        422,
        'BOOK_TOO_LARGE',
        `The portfolio's open lots no longer fit one record (${data.byteLength} bytes compressed); ` +
          'split the holdings across portfolios',
      );
    }
    dynamoUnitOfWork(uow).stage(
      versionedPut(
        this.table,
        { PK: this.pk(record.portfolioId), SK: BOOK_SK },
        {
          portfolioId: record.portfolioId,
          version: record.version,
          data,
          openImports: record.openImports,
          updatedAt: record.updatedAt,
        },
        expectedVersion,
      ),
      () => conflict('WRITE_CONFLICT', 'The portfolio changed concurrently; re-read and retry'),
    );
  }

  private entryItem(entry: StoredEntry) {
    return { ...entry, PK: this.pk(entry.portfolioId), SK: entrySk(entry.tradeDate, entry.entryId) };
  }

  private pointerItem(entry: StoredEntry) {
    return { PK: this.pk(entry.portfolioId), SK: pointerSk(entry.entryId), tradeDate: entry.tradeDate };
  }

  appendEntry(uow: UnitOfWork, entry: StoredEntry): void {
    const staging = dynamoUnitOfWork(uow);
    const { PK, SK, ...attributes } = this.entryItem(entry);
    staging.stage(putIfAbsent(this.table, { PK, SK }, attributes), () =>
      conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
    const pointer = this.pointerItem(entry);
    staging.stage(putIfAbsent(this.table, { PK: pointer.PK, SK: pointer.SK }, { tradeDate: entry.tradeDate }));
  }

  markReversed(uow: UnitOfWork, portfolioId: string, txId: string, reversalTxId: string): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, { PK: this.pk(portfolioId), SK: reversalSk(txId) }, { reversalTxId }),
      () => conflict('ALREADY_REVERSED', `Transaction ${txId} has already been reversed`),
    );
  }

  async reversalOf(portfolioId: string, txId: string): Promise<string | undefined> {
    const item = await this.getItem(portfolioId, reversalSk(txId));
    return item?.reversalTxId as string | undefined;
  }

  async getEntry(portfolioId: string, txId: string): Promise<StoredEntry | undefined> {
    const pointer = await this.getItem(portfolioId, pointerSk(txId));
    if (pointer)
      return withoutKeys<StoredEntry>(await this.getItem(portfolioId, entrySk(pointer.tradeDate as string, txId)));
    // An imported entry: its id is in GSI1 (eventually consistent, so one read may miss a
    // just-committed import; the client sees 404 and retries).
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK = :id',
        ExpressionAttributeValues: { ':pk': this.idIndexPk(portfolioId), ':id': txId },
      }),
    );
    return withoutKeys<StoredEntry>(res.Items?.[0]);
  }

  private idIndexPk(portfolioId: string) {
    return `${this.pk(portfolioId)}#TXIDS`;
  }

  async countingEntries(portfolioId: string, openImports: readonly string[]): Promise<StoredEntry[]> {
    const filter = countingFilter(openImports);
    const out: StoredEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: filter.clauses.length ? filter.clauses.join(' AND ') : undefined,
          ExpressionAttributeNames: Object.keys(filter.names).length ? filter.names : undefined,
          ExpressionAttributeValues: { ':pk': this.pk(portfolioId), ':prefix': ENTRY_PREFIX, ...filter.values },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) out.push(withoutKeys<StoredEntry>(item) as StoredEntry);
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  listEntries(portfolioId: string, q: EntryQuery, openImports: readonly string[]): Promise<Page<StoredEntry>> {
    const extra: string[] = [];
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    if (q.symbol) {
      extra.push('#symbol = :symbol');
      names['#symbol'] = 'symbol';
      values[':symbol'] = q.symbol;
    }
    if (q.type) {
      extra.push('#type = :type');
      names['#type'] = 'type';
      values[':type'] = q.type;
    }
    const filter = countingFilter(openImports, extra);
    const between =
      q.from || q.to
        ? ([`${ENTRY_PREFIX}${q.from ?? '0000-00-00'}`, `${ENTRY_PREFIX}${q.to ?? '9999-99-99'}#~`] as const)
        : undefined;
    return queryPage<StoredEntry>(this.db, {
      table: this.table,
      pk: this.pk(portfolioId),
      prefix: ENTRY_PREFIX,
      between,
      forward: false,
      limit: q.limit,
      cursor: q.cursor,
      filter: filter.clauses.length
        ? {
            expression: filter.clauses.join(' AND '),
            names: { ...names, ...filter.names },
            values: { ...values, ...filter.values },
          }
        : undefined,
    });
  }

  async importEntries(portfolioId: string, importId: string): Promise<Array<{ txId: string; tradeDate: string }>> {
    const out: Array<{ txId: string; tradeDate: string }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: '#importId = :importId',
          ProjectionExpression: 'entryId, tradeDate',
          ExpressionAttributeNames: { '#importId': 'importId' },
          ExpressionAttributeValues: { ':pk': this.pk(portfolioId), ':prefix': ENTRY_PREFIX, ':importId': importId },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? [])
        out.push({ txId: item.entryId as string, tradeDate: item.tradeDate as string });
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async writeImportEntries(entries: readonly StoredEntry[]): Promise<void> {
    // One item per entry (no pointer): an imported entry is found by id through GSI1 instead,
    // which halves what a 10,000-row import writes.
    const requests = entries.map((entry) => ({
      PutRequest: {
        Item: { ...this.entryItem(entry), GSI1PK: this.idIndexPk(entry.portfolioId), GSI1SK: entry.entryId },
      },
    }));
    await writeBatches(this.db, this.table, requests, { what: 'an import’s entries' });
  }

  async deleteImportEntries(
    portfolioId: string,
    entries: ReadonlyArray<{ txId: string; tradeDate: string }>,
  ): Promise<void> {
    const pk = this.pk(portfolioId);
    const requests = entries.map((e) => ({ DeleteRequest: { Key: { PK: pk, SK: entrySk(e.tradeDate, e.txId) } } }));
    await writeBatches(this.db, this.table, requests, { what: 'an import’s rollback' });
  }

  async getImport(portfolioId: string, importId: string): Promise<ImportRecord | undefined> {
    return withoutKeys<ImportRecord>(await this.getItem(portfolioId, importSk(importId)));
  }

  async findImportByRequest(portfolioId: string, requestKey: string): Promise<ImportRecord | undefined> {
    const pointer = await this.getItem(portfolioId, importRequestSk(requestKey));
    return pointer ? this.getImport(portfolioId, pointer.importId as string) : undefined;
  }

  listImports(portfolioId: string, page: PageRequest): Promise<Page<ImportRecord>> {
    return queryPage<ImportRecord>(this.db, {
      table: this.table,
      pk: this.pk(portfolioId),
      prefix: IMPORT_PREFIX,
      forward: false,
      ...page,
    });
  }

  putImport(uow: UnitOfWork, record: ImportRecord, expectedVersion: number | undefined): void {
    const staging = dynamoUnitOfWork(uow);
    const pk = this.pk(record.portfolioId);
    staging.stage(
      versionedPut(this.table, { PK: pk, SK: importSk(record.importId) }, { ...record }, expectedVersion),
      () => conflict('IMPORT_CONFLICT', 'The import changed concurrently; retry'),
    );
    if (expectedVersion === undefined && record.requestKey) {
      staging.stage(
        putIfAbsent(this.table, { PK: pk, SK: importRequestSk(record.requestKey) }, { importId: record.importId }),
        () => conflict('IMPORT_CONFLICT', 'This upload is already being imported; retry'),
      );
    }
  }
}
