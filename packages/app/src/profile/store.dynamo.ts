import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredDataKey } from '@ballast/platform/crypto/envelope.js';
import { writeBatches } from '@ballast/platform/data/batch.js';
import { deleteExisting, putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import type { FavouriteKind } from './schemas.js';
import type { Favourite, Onboarding, Preferences, ProfileStore, Theme, TradingPreferences } from './store.js';

/**
 * One partition per user of a tenant holds the user's whole profile: the documents (preferences,
 * theme, onboarding, trading preferences), the favourites (`PROFILEFAVOURITE#<kind>#<name>`, so
 * strategies sort before symbols) and the wrapped data key. The tenant leads the key (tenant-scoped
 * credentials reach it), the user follows; nothing else names a user's profile.
 */
const partition = (scope: { tenantId: string; userId: string }) =>
  `TENANT#${scope.tenantId}#USER#${scope.userId}#PROFILE`;
const PREFERENCES = 'PREFERENCES';
const THEME = 'THEME';
const TRADING_PREFERENCES = 'TRADINGPREFERENCES';
const ONBOARDING = 'ONBOARDING';
const DATA_KEY = 'DATAKEY';
const FAVOURITE = 'PROFILEFAVOURITE#';
/** a profile holds a few documents and at most MAX_FAVOURITES of each kind: a bound far above that */
const MAX_PROFILE_ITEMS = 1000;

const stale = (what: string) => () => preconditionFailed(`The ${what} changed since you read it; re-read and retry`);

export class DynamoProfileStore implements ProfileStore {
  private readonly pk: string;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    scope: { tenantId: string; userId: string },
  ) {
    this.pk = partition(scope);
  }

  private key(sk: string) {
    return { PK: this.pk, SK: sk };
  }

  private async getItem<T>(sk: string): Promise<T | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: this.key(sk), ConsistentRead: true }));
    return withoutKeys<T>(res.Item);
  }

  private putDocument(uow: UnitOfWork, sk: string, doc: object, expectedVersion: number, what: string) {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(sk), { ...doc }, expectedVersion === 0 ? undefined : expectedVersion),
      stale(what),
    );
  }

  getPreferences(): Promise<Preferences | undefined> {
    return this.getItem<Preferences>(PREFERENCES);
  }

  putPreferences(uow: UnitOfWork, preferences: Preferences, expectedVersion: number): void {
    this.putDocument(uow, PREFERENCES, preferences, expectedVersion, 'preferences');
  }

  getTheme(): Promise<Theme | undefined> {
    return this.getItem<Theme>(THEME);
  }

  putTheme(uow: UnitOfWork, theme: Theme, expectedVersion: number): void {
    this.putDocument(uow, THEME, theme, expectedVersion, 'theme');
  }

  getTradingPreferences(): Promise<TradingPreferences | undefined> {
    return this.getItem<TradingPreferences>(TRADING_PREFERENCES);
  }

  putTradingPreferences(uow: UnitOfWork, prefs: TradingPreferences, expectedVersion: number): void {
    this.putDocument(uow, TRADING_PREFERENCES, prefs, expectedVersion, 'trading preferences');
  }

  getOnboarding(): Promise<Onboarding | undefined> {
    return this.getItem<Onboarding>(ONBOARDING);
  }

  putOnboarding(uow: UnitOfWork, onboarding: Onboarding, expectedVersion: number): void {
    this.putDocument(uow, ONBOARDING, onboarding, expectedVersion, 'onboarding');
  }

  listFavourites(page: PageRequest & { kind?: FavouriteKind }): Promise<Page<Favourite>> {
    const { kind, ...rest } = page;
    return queryPage<Favourite>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: kind ? `${FAVOURITE}${kind}#` : FAVOURITE,
      ...rest,
    });
  }

  getFavourite(kind: FavouriteKind, name: string): Promise<Favourite | undefined> {
    return this.getItem<Favourite>(`${FAVOURITE}${kind}#${name}`);
  }

  async countFavourites(kind: FavouriteKind): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
          ExpressionAttributeValues: { ':pk': this.pk, ':prefix': `${FAVOURITE}${kind}#` },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      count += res.Count ?? 0;
      start = res.LastEvaluatedKey;
    } while (start);
    return count;
  }

  addFavourite(uow: UnitOfWork, favourite: Favourite): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(`${FAVOURITE}${favourite.kind}#${favourite.name}`), { ...favourite }),
      () => conflict('FAVOURITE_EXISTS', `${favourite.name} is a favourite already`),
    );
  }

  removeFavourite(uow: UnitOfWork, kind: FavouriteKind, name: string): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, this.key(`${FAVOURITE}${kind}#${name}`)), () =>
      notFound(
        'FAVOURITE_NOT_FOUND',
        `${name} is not one of your favourite ${kind === 'strategy' ? 'strategies' : 'symbols'}`,
      ),
    );
  }

  getDataKey(): Promise<StoredDataKey | undefined> {
    return this.getItem<StoredDataKey>(DATA_KEY);
  }

  createDataKey(uow: UnitOfWork, key: StoredDataKey): void {
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, this.key(DATA_KEY), { ...key }), () =>
      conflict('WRITE_CONFLICT', 'Another request made the data key at the same time; retry'),
    );
  }

  destroyDataKey(uow: UnitOfWork): void {
    dynamoUnitOfWork(uow).stage({ Delete: { TableName: this.table, Key: this.key(DATA_KEY) } });
  }

  async deleteDocuments(): Promise<number> {
    const keys: Array<{ PK: string; SK: string }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
          ExpressionAttributeValues: { ':pk': this.pk },
          ProjectionExpression: '#pk, #sk',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        if (typeof item.SK === 'string' && item.SK !== DATA_KEY) keys.push({ PK: this.pk, SK: item.SK });
      }
      if (keys.length > MAX_PROFILE_ITEMS) throw new Error(`more than ${MAX_PROFILE_ITEMS} items in a profile`);
      start = res.LastEvaluatedKey;
    } while (start);
    await writeBatches(
      this.db,
      this.table,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
      { what: 'the erasure of a profile' },
    );
    return keys.length;
  }
}
