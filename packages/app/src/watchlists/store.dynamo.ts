import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readBatches, writeBatches } from '@ballast/platform/data/batch.js';
import { putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict, preconditionFailed } from '@ballast/platform/errors.js';
import {
  type AlertSide,
  type AlertState,
  type Delivery,
  type ErasureEntry,
  type LibraryEntry,
  MAX_ITEMS,
  MAX_SHARES,
  type NotificationRecord,
  type NotificationStore,
  type Share,
  type ShareAccess,
  type Watchlist,
  type WatchlistItem,
  type WatchlistStore,
} from './store.js';

/**
 * Every key starts with the tenant, then the user whose records they are:
 * - `TENANT#<t>#USER#<u>#WATCHLISTS` holds the user's library, `WL#<watchlistId>` each: their own
 *   watchlists (`entry: own`, with an item counter) and references to watchlists shared with them
 *   (`entry: shared`, naming the owner and the grant). Ids sort by time, so one query lists both,
 *   newest first.
 * - `TENANT#<t>#USER#<owner>#WATCHLIST#<id>` holds a watchlist's items (`ITEM#<symbol>`) and its
 *   shares (`SHARE#<userId>`), the owner's side of each grant.
 * - Items with an alert level are in GSI1 under `TENANT#<t>#WATCHALERTS` (`<owner>#<id>#<symbol>`):
 *   the tenant's alert check reads that index a page at a time.
 * - `TENANT#<t>#USER#<u>#NOTIFICATIONS` holds the user's notifications (`NOTIFICATION#<id>`), newest
 *   last in key order; TTL removes them after 180 days.
 * User ids cannot hold `#` (the platform's user id rule), so no id reaches into another key.
 */
const user = (tenantId: string, userId: string) => `TENANT#${tenantId}#USER#${userId}`;
const LIBRARY = '#WATCHLISTS';
const LISTED = 'WL#';
const ITEM = 'ITEM#';
const SHARE = 'SHARE#';
const NOTIFICATION = 'NOTIFICATION#';
const KEEP_NOTIFICATIONS_SECONDS = 180 * 24 * 3600;

const stale = (what: string) => () => preconditionFailed(`The ${what} changed since you read it; re-read and retry`);

type Stored = Record<string, unknown>;

function watchlistOf(item: Stored | undefined): Watchlist | undefined {
  const found = withoutKeys<Stored>(item);
  if (!found) return undefined;
  const { entry: _entry, itemCount: _count, ...watchlist } = found;
  return watchlist as unknown as Watchlist;
}

export class DynamoWatchlistStore implements WatchlistStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly tenantId: string,
  ) {}

  private library(userId: string) {
    return `${user(this.tenantId, userId)}${LIBRARY}`;
  }

  private listed(userId: string, watchlistId: string) {
    return { PK: this.library(userId), SK: `${LISTED}${watchlistId}` };
  }

  private contents(ownerId: string, watchlistId: string) {
    return `${user(this.tenantId, ownerId)}#WATCHLIST#${watchlistId}`;
  }

  private itemKey(item: Pick<WatchlistItem, 'ownerId' | 'watchlistId' | 'symbol'>) {
    return { PK: this.contents(item.ownerId, item.watchlistId), SK: `${ITEM}${item.symbol}` };
  }

  private shareKey(share: Pick<Share, 'ownerId' | 'watchlistId' | 'userId'>) {
    return { PK: this.contents(share.ownerId, share.watchlistId), SK: `${SHARE}${share.userId}` };
  }

  private alertIndex(item: WatchlistItem) {
    if (item.alertAbove === undefined && item.alertBelow === undefined) return undefined;
    return {
      GSI1PK: `TENANT#${this.tenantId}#WATCHALERTS`,
      GSI1SK: `${item.ownerId}#${item.watchlistId}#${item.symbol}`,
    };
  }

  private async get(key: { PK: string; SK: string }): Promise<Stored | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return res.Item;
  }

  async getOwn(ownerId: string, watchlistId: string): Promise<Watchlist | undefined> {
    const found = await this.get(this.listed(ownerId, watchlistId));
    return found?.entry === 'own' ? watchlistOf(found) : undefined;
  }

  async getSharedRef(userId: string, watchlistId: string) {
    const found = await this.get(this.listed(userId, watchlistId));
    if (found?.entry !== 'shared') return undefined;
    return { ownerId: String(found.ownerId), access: found.access as ShareAccess };
  }

  async listLibrary(userId: string, page: PageRequest & { include: 'own' | 'all' }): Promise<Page<LibraryEntry>> {
    const { include, ...rest } = page;
    const found = await queryPage<Stored>(this.db, {
      table: this.table,
      pk: this.library(userId),
      prefix: LISTED,
      forward: false,
      ...rest,
      // a watchlist whose erasure began (`erasing`) is nobody's to see any more
      filter:
        include === 'own'
          ? { expression: '#entry = :own', names: { '#entry': 'entry' }, values: { ':own': 'own' } }
          : {
              expression: '#entry IN (:own, :shared)',
              names: { '#entry': 'entry' },
              values: { ':own': 'own', ':shared': 'shared' },
            },
    });
    return {
      items: found.items.map((stored): LibraryEntry => {
        if (stored.entry === 'shared') {
          return {
            kind: 'shared',
            watchlistId: String(stored.watchlistId),
            ownerId: String(stored.ownerId),
            access: stored.access as ShareAccess,
          };
        }
        return { kind: 'own', watchlist: watchlistOf(stored) as Watchlist };
      }),
      nextCursor: found.nextCursor,
    };
  }

  async getMany(keys: ReadonlyArray<{ ownerId: string; watchlistId: string }>): Promise<Watchlist[]> {
    if (!keys.length) return [];
    const found = await readBatches(
      this.db,
      this.table,
      keys.map((k) => this.listed(k.ownerId, k.watchlistId)),
      { consistent: true, what: 'the watchlists shared with a user' },
    );
    return found.filter((item) => item.entry === 'own').map((item) => watchlistOf(item) as Watchlist);
  }

  createWatchlist(uow: UnitOfWork, watchlist: Watchlist): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.listed(watchlist.ownerId, watchlist.watchlistId), {
        ...watchlist,
        entry: 'own',
        itemCount: 0,
      }),
      () => conflict('WRITE_CONFLICT', 'A watchlist with this id exists; retry'),
    );
  }

  updateWatchlist(uow: UnitOfWork, before: Watchlist, after: Watchlist): void {
    // an update, not a put: the item counter beside the fields moves with item changes, not versions
    dynamoUnitOfWork(uow).stage(
      {
        Update: {
          TableName: this.table,
          Key: this.listed(before.ownerId, before.watchlistId),
          UpdateExpression:
            after.description === undefined
              ? 'SET #name = :name, visibility = :visibility, updatedAt = :at, updatedBy = :by, #version = :next ' +
                'REMOVE description'
              : 'SET #name = :name, visibility = :visibility, description = :description, updatedAt = :at, ' +
                'updatedBy = :by, #version = :next',
          ConditionExpression: '#version = :version AND entry = :own',
          ExpressionAttributeNames: { '#name': 'name', '#version': 'version' },
          ExpressionAttributeValues: {
            ':name': after.name,
            ':visibility': after.visibility,
            ...(after.description === undefined ? {} : { ':description': after.description }),
            ':at': after.updatedAt,
            ':by': after.updatedBy,
            ':next': after.version,
            ':version': before.version,
            ':own': 'own',
          },
        },
      },
      stale('watchlist'),
    );
  }

  deleteWatchlist(uow: UnitOfWork, watchlist: Watchlist, shares: readonly Share[]): void {
    const work = dynamoUnitOfWork(uow);
    work.stage(
      {
        Delete: {
          TableName: this.table,
          Key: this.listed(watchlist.ownerId, watchlist.watchlistId),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': watchlist.version },
        },
      },
      stale('watchlist'),
    );
    for (const share of shares) {
      work.stage({ Delete: { TableName: this.table, Key: this.shareKey(share) } });
      work.stage({ Delete: { TableName: this.table, Key: this.listed(share.userId, share.watchlistId) } });
    }
  }

  async purgeItems(watchlist: Watchlist): Promise<void> {
    const pk = this.contents(watchlist.ownerId, watchlist.watchlistId);
    const items = await queryAll<WatchlistItem>(this.db, {
      table: this.table,
      pk,
      prefix: ITEM,
      maxItems: MAX_ITEMS * 2,
    });
    await writeBatches(
      this.db,
      this.table,
      items.map((item) => ({ DeleteRequest: { Key: this.itemKey(item) } })),
      { what: 'the items of a deleted watchlist' },
    );
  }

  listShares(watchlist: Watchlist): Promise<Share[]> {
    return queryAll<Share>(this.db, {
      table: this.table,
      pk: this.contents(watchlist.ownerId, watchlist.watchlistId),
      prefix: SHARE,
      maxItems: MAX_SHARES * 2,
    });
  }

  async getShare(watchlist: Watchlist, userId: string): Promise<Share | undefined> {
    const key = this.shareKey({ ownerId: watchlist.ownerId, watchlistId: watchlist.watchlistId, userId });
    return withoutKeys<Share>(await this.get(key));
  }

  putShare(uow: UnitOfWork, share: Share, expectedVersion: number | undefined): void {
    const work = dynamoUnitOfWork(uow);
    work.stage(versionedPut(this.table, this.shareKey(share), { ...share }, expectedVersion), stale('share'));
    work.stage({
      Put: {
        TableName: this.table,
        Item: {
          ...this.listed(share.userId, share.watchlistId),
          entry: 'shared',
          watchlistId: share.watchlistId,
          ownerId: share.ownerId,
          access: share.access,
        },
        // never over a watchlist of the sharee's own (ids are unique: this guards the key rule)
        ConditionExpression: 'attribute_not_exists(PK) OR entry = :shared',
        ExpressionAttributeValues: { ':shared': 'shared' },
      },
    });
  }

  deleteShare(uow: UnitOfWork, share: Share): void {
    const work = dynamoUnitOfWork(uow);
    work.stage(
      {
        Delete: {
          TableName: this.table,
          Key: this.shareKey(share),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': share.version },
        },
      },
      stale('share'),
    );
    work.stage({
      Delete: {
        TableName: this.table,
        Key: this.listed(share.userId, share.watchlistId),
        ConditionExpression: 'attribute_not_exists(PK) OR entry = :shared',
        ExpressionAttributeValues: { ':shared': 'shared' },
      },
    });
  }

  async getItem(watchlist: Watchlist, symbol: string): Promise<WatchlistItem | undefined> {
    const key = this.itemKey({ ownerId: watchlist.ownerId, watchlistId: watchlist.watchlistId, symbol });
    return withoutKeys<WatchlistItem>(await this.get(key));
  }

  listItems(watchlist: Watchlist, page: PageRequest): Promise<Page<WatchlistItem>> {
    return queryPage<WatchlistItem>(this.db, {
      table: this.table,
      pk: this.contents(watchlist.ownerId, watchlist.watchlistId),
      prefix: ITEM,
      ...page,
    });
  }

  addItem(uow: UnitOfWork, item: WatchlistItem): void {
    const work = dynamoUnitOfWork(uow);
    work.stage(
      {
        Update: {
          TableName: this.table,
          Key: this.listed(item.ownerId, item.watchlistId),
          UpdateExpression: 'SET itemCount = itemCount + :one',
          ConditionExpression: 'entry = :own AND itemCount < :max',
          ExpressionAttributeValues: { ':one': 1, ':own': 'own', ':max': MAX_ITEMS },
        },
      },
      () => conflict('WATCHLIST_FULL', `A watchlist holds at most ${MAX_ITEMS} symbols`),
    );
    work.stage(putIfAbsent(this.table, this.itemKey(item), { ...item, ...(this.alertIndex(item) ?? {}) }), () =>
      conflict('ITEM_EXISTS', `${item.symbol} is on this watchlist already`),
    );
  }

  updateItem(uow: UnitOfWork, before: WatchlistItem, after: WatchlistItem): void {
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = {
      ':version': before.version,
      ':next': after.version,
      ':at': after.updatedAt,
      ':by': after.updatedBy,
    };
    const set = ['#version = :next', 'updatedAt = :at', 'updatedBy = :by'];
    const remove: string[] = [];
    const field = (name: keyof WatchlistItem, value: string | undefined) => {
      if (value === undefined) remove.push(name);
      else {
        set.push(`${name} = :${name}`);
        values[`:${name}`] = value;
      }
    };
    field('note', after.note);
    field('alertAbove', after.alertAbove);
    field('alertBelow', after.alertBelow);
    // a state belongs to its level: a new level starts armed, a removed one takes its state along
    if (after.alertAbove !== before.alertAbove) field('aboveState', after.aboveState);
    if (after.alertBelow !== before.alertBelow) field('belowState', after.belowState);
    const index = this.alertIndex(after);
    if (index) {
      set.push('GSI1PK = :gsipk', 'GSI1SK = :gsisk');
      values[':gsipk'] = index.GSI1PK;
      values[':gsisk'] = index.GSI1SK;
    } else remove.push('GSI1PK', 'GSI1SK');
    dynamoUnitOfWork(uow).stage(
      {
        Update: {
          TableName: this.table,
          Key: this.itemKey(before),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      stale('item'),
    );
  }

  deleteItem(uow: UnitOfWork, item: WatchlistItem): void {
    const work = dynamoUnitOfWork(uow);
    work.stage(
      {
        Delete: {
          TableName: this.table,
          Key: this.itemKey(item),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': item.version },
        },
      },
      stale('item'),
    );
    work.stage({
      Update: {
        TableName: this.table,
        Key: this.listed(item.ownerId, item.watchlistId),
        UpdateExpression: 'SET itemCount = itemCount - :one',
        ConditionExpression: 'entry = :own AND itemCount > :zero',
        ExpressionAttributeValues: { ':one': 1, ':own': 'own', ':zero': 0 },
      },
    });
  }

  async erasureEntries(userId: string, limit: number): Promise<ErasureEntry[]> {
    const page = await queryPage<Stored>(this.db, {
      table: this.table,
      pk: this.library(userId),
      prefix: LISTED,
      limit,
    });
    return page.items.map((stored) => ({
      watchlistId: String(stored.watchlistId),
      ownerId: String(stored.ownerId),
      entry: stored.entry === 'shared' ? 'shared' : stored.entry === 'erasing' ? 'erasing' : 'own',
    }));
  }

  async markErasing(ownerId: string, watchlistId: string): Promise<void> {
    try {
      // every change of a watchlist, its items or its counter is conditioned on `entry = own`: none passes now
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.listed(ownerId, watchlistId),
          UpdateExpression: 'SET entry = :erasing',
          ConditionExpression: 'entry IN (:own, :erasing)',
          ExpressionAttributeValues: { ':own': 'own', ':erasing': 'erasing' },
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  }

  async eraseWatchlist(ownerId: string, watchlistId: string): Promise<{ items: number; shares: number }> {
    const pk = this.contents(ownerId, watchlistId);
    const items = await queryAll<WatchlistItem>(this.db, {
      table: this.table,
      pk,
      prefix: ITEM,
      maxItems: MAX_ITEMS * 2,
    });
    const what = 'the erasure of a watchlist';
    await writeBatches(
      this.db,
      this.table,
      items.map((item) => ({ DeleteRequest: { Key: this.itemKey(item) } })),
      { what },
    );
    const shares = await queryAll<Share>(this.db, { table: this.table, pk, prefix: SHARE, maxItems: MAX_SHARES * 2 });
    // the sharees' references before the grants: a retry finds the grants, and through them the rest
    await writeBatches(
      this.db,
      this.table,
      shares.map((share) => ({ DeleteRequest: { Key: this.listed(share.userId, share.watchlistId) } })),
      { what },
    );
    await writeBatches(
      this.db,
      this.table,
      shares.map((share) => ({ DeleteRequest: { Key: this.shareKey(share) } })),
      { what },
    );
    // the watchlist last: until it is gone, a retry finds it and finishes the rest
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: this.listed(ownerId, watchlistId) }));
    return { items: items.length, shares: shares.length };
  }

  async eraseSharedRefs(userId: string, refs: ReadonlyArray<{ ownerId: string; watchlistId: string }>): Promise<void> {
    const what = 'the erasure of the shares granted to a user';
    // the owners' side first: while the user's reference stays, a retry finds the grant again
    await writeBatches(
      this.db,
      this.table,
      refs.map((ref) => ({ DeleteRequest: { Key: this.shareKey({ ...ref, userId }) } })),
      { what },
    );
    await writeBatches(
      this.db,
      this.table,
      refs.map((ref) => ({ DeleteRequest: { Key: this.listed(userId, ref.watchlistId) } })),
      { what },
    );
  }

  alertItems(page: PageRequest): Promise<Page<WatchlistItem>> {
    return queryPage<WatchlistItem>(this.db, {
      table: this.table,
      pk: `TENANT#${this.tenantId}#WATCHALERTS`,
      index: 'GSI1',
      ...page,
    });
  }

  moveAlert(
    uow: UnitOfWork,
    item: WatchlistItem,
    side: AlertSide,
    move: { from: AlertState | undefined; to: AlertState; level: string; at: string },
  ): void {
    const state = side === 'above' ? 'aboveState' : 'belowState';
    const level = side === 'above' ? 'alertAbove' : 'alertBelow';
    const from = move.from ?? 'armed';
    dynamoUnitOfWork(uow).stage(
      {
        Update: {
          TableName: this.table,
          Key: this.itemKey(item),
          UpdateExpression: move.to === 'crossed' ? 'SET #state = :to, lastAlertAt = :at' : 'SET #state = :to',
          // an item without a state yet is armed; the level must still be the one the check read
          ConditionExpression:
            from === 'armed'
              ? '(attribute_not_exists(#state) OR #state = :from) AND #level = :level'
              : '#state = :from AND #level = :level',
          ExpressionAttributeNames: { '#state': state, '#level': level },
          ExpressionAttributeValues: {
            ':to': move.to,
            ':from': from,
            ':level': move.level,
            ...(move.to === 'crossed' ? { ':at': move.at } : {}),
          },
        },
      },
      () => conflict('ALERT_ALREADY_MOVED', `The ${side} alert of ${item.symbol} moved since it was read`),
    );
  }
}

export class DynamoNotificationStore implements NotificationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly tenantId: string,
  ) {}

  private key(userId: string, notificationId: string) {
    return { PK: `${user(this.tenantId, userId)}#NOTIFICATIONS`, SK: `${NOTIFICATION}${notificationId}` };
  }

  put(uow: UnitOfWork, record: NotificationRecord): void {
    const ttl = Math.floor(Date.parse(record.createdAt) / 1000) + KEEP_NOTIFICATIONS_SECONDS;
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(record.userId, record.notificationId), { ...record, ttl }),
      () => conflict('WRITE_CONFLICT', 'A notification with this id exists'),
    );
  }

  list(userId: string, page: PageRequest): Promise<Page<NotificationRecord>> {
    return queryPage<NotificationRecord>(this.db, {
      table: this.table,
      pk: `${user(this.tenantId, userId)}#NOTIFICATIONS`,
      prefix: NOTIFICATION,
      forward: false,
      ...page,
    });
  }

  async eraseSome(userId: string, limit: number): Promise<number> {
    const page = await this.list(userId, { limit });
    await writeBatches(
      this.db,
      this.table,
      page.items.map((record) => ({ DeleteRequest: { Key: this.key(userId, record.notificationId) } })),
      { what: "the erasure of a user's notifications" },
    );
    return page.items.length;
  }

  async setDeliveries(record: NotificationRecord, deliveries: readonly Delivery[]): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(record.userId, record.notificationId),
        UpdateExpression: 'SET deliveries = :deliveries',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':deliveries': deliveries },
      }),
    );
  }
}
