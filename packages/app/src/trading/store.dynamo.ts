import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeBatches } from '@ballast/platform/data/batch.js';
import { putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict, preconditionFailed } from '@ballast/platform/errors.js';
import type {
  Account,
  Fill,
  JournalEntry,
  ModeChange,
  Order,
  OrderQuery,
  RiskRecord,
  Settings,
  SettingsVersion,
  StoredDecision,
  TradingStore,
} from './store.js';

interface Scope {
  tenantId: string;
  projectId: string;
}

/**
 * Keys, tenant first everywhere (pooled table):
 * - `TENANT#t#TRADING`: the tenant's settings (`SETTINGS`), their versions (`SETTINGS#v…`) and the
 *   account index (`ACCOUNT#id` → project) the kill switch reads;
 * - `TENANT#t#PROJECT#p#TRADING`: the project's accounts (`ACCOUNT#id`), orders (`ORDER#id`),
 *   risk decisions (`DECISION#id`) and journal (`JOURNAL#id`), ids time-sortable so newest first
 *   is a backwards read;
 * - `TENANT#t#PROJECT#p#ACCOUNT#a`: one account's risk record (`RISK`), fills (`FILL#order#n`) and
 *   mode changes (`MODECHANGE#id`).
 */
const tenantPartition = (tenantId: string) => `TENANT#${tenantId}#TRADING`;
/** the project's partition; the journal store (journal-store.dynamo.ts) keeps notes beside the fills in it */
export const projectPartition = (s: Scope) => `TENANT#${s.tenantId}#PROJECT#${s.projectId}#TRADING`;
/** every journal entry, automatic or manual: `JOURNAL#<entryId>` */
export const JOURNAL_PREFIX = 'JOURNAL#';
export const journalSk = (entryId: string) => `${JOURNAL_PREFIX}${entryId}`;
const accountPartition = (s: Scope, accountId: string) =>
  `TENANT#${s.tenantId}#PROJECT#${s.projectId}#ACCOUNT#${accountId}`;
const versionSk = (v: number) => `SETTINGS#v${String(v).padStart(9, '0')}`;
const OPEN = ['submitted', 'partially_filled', 'pending'];

export class DynamoTradingStore implements TradingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: Scope,
  ) {}

  inProject(projectId: string): TradingStore {
    return new DynamoTradingStore(this.db, this.table, { tenantId: this.scope.tenantId, projectId });
  }

  private async get<T>(PK: string, SK: string): Promise<T | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: { PK, SK }, ConsistentRead: true }));
    return withoutKeys<T>(res.Item);
  }

  private uow(uow: UnitOfWork) {
    return dynamoUnitOfWork(uow);
  }

  // --- accounts ---------------------------------------------------------------------------

  getAccount(accountId: string): Promise<Account | undefined> {
    return this.get<Account>(projectPartition(this.scope), `ACCOUNT#${accountId}`);
  }

  listAccounts(page: PageRequest): Promise<Page<Account>> {
    return queryPage<Account>(this.db, {
      table: this.table,
      pk: projectPartition(this.scope),
      prefix: 'ACCOUNT#',
      forward: false,
      ...page,
    });
  }

  async tenantAccounts(): Promise<Array<{ accountId: string; projectId: string }>> {
    return queryAll<{ accountId: string; projectId: string }>(this.db, {
      table: this.table,
      pk: tenantPartition(this.scope.tenantId),
      prefix: 'ACCOUNT#',
      maxItems: 5_000,
    });
  }

  createAccount(uow: UnitOfWork, account: Account): void {
    const u = this.uow(uow);
    u.stage(
      putIfAbsent(this.table, { PK: projectPartition(this.scope), SK: `ACCOUNT#${account.accountId}` }, { ...account }),
      () => conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
    u.stage(
      putIfAbsent(
        this.table,
        { PK: tenantPartition(this.scope.tenantId), SK: `ACCOUNT#${account.accountId}` },
        { accountId: account.accountId, projectId: account.projectId },
      ),
    );
  }

  updateAccount(uow: UnitOfWork, account: Account, expectedVersion: number): void {
    this.uow(uow).stage(
      versionedPut(
        this.table,
        { PK: projectPartition(this.scope), SK: `ACCOUNT#${account.accountId}` },
        { ...account },
        expectedVersion,
      ),
      () => preconditionFailed('The account changed since you read it; re-read and retry'),
    );
  }

  appendModeChange(uow: UnitOfWork, change: ModeChange): void {
    this.uow(uow).stage(
      putIfAbsent(
        this.table,
        { PK: accountPartition(this.scope, change.accountId), SK: `MODECHANGE#${change.changeId}` },
        { ...change },
      ),
    );
  }

  modeHistory(accountId: string, page: PageRequest): Promise<Page<ModeChange>> {
    return queryPage<ModeChange>(this.db, {
      table: this.table,
      pk: accountPartition(this.scope, accountId),
      prefix: 'MODECHANGE#',
      forward: false,
      ...page,
    });
  }

  // --- risk -------------------------------------------------------------------------------

  getRisk(accountId: string): Promise<RiskRecord | undefined> {
    return this.get<RiskRecord>(accountPartition(this.scope, accountId), 'RISK');
  }

  putRisk(uow: UnitOfWork, record: RiskRecord, expectedVersion: number | undefined): void {
    this.uow(uow).stage(
      versionedPut(
        this.table,
        { PK: accountPartition(this.scope, record.accountId), SK: 'RISK' },
        { ...record },
        expectedVersion,
      ),
      () => conflict('WRITE_CONFLICT', "The account's risk state moved concurrently; re-read and retry"),
    );
  }

  putDecision(uow: UnitOfWork, decision: StoredDecision): void {
    this.uow(uow).stage(
      putIfAbsent(
        this.table,
        { PK: projectPartition(this.scope), SK: `DECISION#${decision.decisionId}` },
        { ...decision },
      ),
    );
  }

  listDecisions(query: PageRequest & { accountId?: string; approved?: boolean }): Promise<Page<StoredDecision>> {
    const f = filterOf({ accountId: query.accountId, approved: query.approved });
    return queryPage<StoredDecision>(this.db, {
      table: this.table,
      pk: projectPartition(this.scope),
      prefix: 'DECISION#',
      forward: false,
      limit: query.limit,
      cursor: query.cursor,
      ...(f ? { filter: f } : {}),
    });
  }

  // --- orders -----------------------------------------------------------------------------

  getOrder(orderId: string): Promise<Order | undefined> {
    return this.get<Order>(projectPartition(this.scope), `ORDER#${orderId}`);
  }

  createOrder(uow: UnitOfWork, order: Order): void {
    this.uow(uow).stage(
      putIfAbsent(this.table, { PK: projectPartition(this.scope), SK: `ORDER#${order.orderId}` }, { ...order }),
      () => conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
  }

  updateOrder(uow: UnitOfWork, order: Order, expectedVersion: number): void {
    this.uow(uow).stage(
      versionedPut(
        this.table,
        { PK: projectPartition(this.scope), SK: `ORDER#${order.orderId}` },
        { ...order },
        expectedVersion,
      ),
      () => conflict('WRITE_CONFLICT', 'The order changed concurrently; re-read and retry'),
    );
  }

  listOrders(query: OrderQuery): Promise<Page<Order>> {
    const clauses: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const base = filterOf({ accountId: query.accountId, symbol: query.symbol });
    if (base) {
      clauses.push(base.expression);
      Object.assign(names, base.names);
      Object.assign(values, base.values);
    }
    if (query.status) {
      names['#status'] = 'status';
      const statuses = query.status === 'open' ? OPEN : [query.status];
      const placeholders = statuses.map((s, i) => {
        values[`:status${i}`] = s;
        return `:status${i}`;
      });
      clauses.push(`#status IN (${placeholders.join(', ')})`);
    }
    return queryPage<Order>(this.db, {
      table: this.table,
      pk: projectPartition(this.scope),
      prefix: 'ORDER#',
      forward: false,
      limit: query.limit,
      cursor: query.cursor,
      ...(clauses.length ? { filter: { expression: clauses.join(' AND '), names, values } } : {}),
    });
  }

  openOrders(accountId: string): Promise<Order[]> {
    return queryAll<Order>(this.db, {
      table: this.table,
      pk: projectPartition(this.scope),
      prefix: 'ORDER#',
      filter: {
        expression: '#account = :account AND #status IN (:s0, :s1)',
        names: { '#account': 'accountId', '#status': 'status' },
        values: { ':account': accountId, ':s0': 'submitted', ':s1': 'partially_filled' },
      },
      maxItems: 2_000,
    });
  }

  putFill(uow: UnitOfWork, orderId: string, fill: Fill): void {
    this.uow(uow).stage(
      putIfAbsent(
        this.table,
        { PK: projectPartition(this.scope), SK: `FILL#${orderId}#${fill.fillId}` },
        { orderId, ...fill },
      ),
      () => conflict('FILL_ALREADY_APPLIED', `Fill ${fill.fillId} of ${orderId} is already applied`),
    );
  }

  // --- journal ----------------------------------------------------------------------------

  appendJournal(uow: UnitOfWork, entry: JournalEntry): void {
    this.uow(uow).stage(
      putIfAbsent(this.table, { PK: projectPartition(this.scope), SK: journalSk(entry.entryId) }, { ...entry }),
    );
  }

  closedTrades(filter: { accountId?: string; source?: string }): Promise<JournalEntry[]> {
    const f = filterOf(filter);
    const expression = ['attribute_exists(#pnl)', ...(f ? [f.expression] : [])].join(' AND ');
    return queryAll<JournalEntry>(this.db, {
      table: this.table,
      pk: projectPartition(this.scope),
      prefix: JOURNAL_PREFIX,
      filter: { expression, names: { '#pnl': 'realisedPnl', ...f?.names }, values: f?.values },
      maxItems: 50_000,
    });
  }

  async oldestJournal(before: string, limit: number): Promise<JournalEntry[]> {
    const found: JournalEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          // notes stay: they are their author's, erased with them, never archived
          FilterExpression: 'attribute_not_exists(#kind) OR #kind = :fill',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: {
            ':pk': projectPartition(this.scope),
            ':prefix': JOURNAL_PREFIX,
            ':fill': 'fill',
          },
          ScanIndexForward: true,
          ConsistentRead: true,
          Limit: Math.min(limit - found.length + 1, 1000),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        const entry = withoutKeys<JournalEntry>(item) as JournalEntry;
        if (entry.at >= before || found.length >= limit) return found;
        found.push({ ...entry, kind: 'fill' });
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** Deletes the entries (archived elsewhere first), 25 a BatchWriteItem. */
  async removeJournal(entries: readonly JournalEntry[]): Promise<void> {
    const deletes = entries.map((e) => ({
      DeleteRequest: { Key: { PK: projectPartition(this.scope), SK: journalSk(e.entryId) } },
    }));
    await writeBatches(this.db, this.table, deletes, { what: 'deleting archived journal entries' });
  }

  // --- settings ---------------------------------------------------------------------------

  getSettings(): Promise<Settings | undefined> {
    return this.get<Settings>(tenantPartition(this.scope.tenantId), 'SETTINGS');
  }

  putSettings(uow: UnitOfWork, settings: Settings, expectedVersion: number | undefined, history: SettingsVersion) {
    const u = this.uow(uow);
    u.stage(
      versionedPut(
        this.table,
        { PK: tenantPartition(this.scope.tenantId), SK: 'SETTINGS' },
        { ...settings },
        expectedVersion,
      ),
      () => preconditionFailed('The trading settings changed since you read them; re-read and retry'),
    );
    u.stage(
      putIfAbsent(
        this.table,
        { PK: tenantPartition(this.scope.tenantId), SK: versionSk(history.version) },
        {
          ...history,
        },
      ),
    );
  }

  settingsHistory(page: PageRequest): Promise<Page<SettingsVersion>> {
    return queryPage<SettingsVersion>(this.db, {
      table: this.table,
      pk: tenantPartition(this.scope.tenantId),
      prefix: 'SETTINGS#v',
      forward: false,
      ...page,
    });
  }
}

/** Equality filters on plain attributes, for the fields that are set. */
function filterOf(
  fields: Record<string, string | boolean | undefined>,
): { expression: string; names: Record<string, string>; values: Record<string, unknown> } | undefined {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#f_${field}`] = field;
    values[`:f_${field}`] = value;
    clauses.push(`#f_${field} = :f_${field}`);
  }
  return clauses.length ? { expression: clauses.join(' AND '), names, values } : undefined;
}
