import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';

export type Visibility = 'private' | 'shared';
export type ShareAccess = 'read' | 'edit';
export type CallerAccess = 'owner' | ShareAccess;
export type AlertState = 'armed' | 'crossed';
export type AlertSide = 'above' | 'below';

/** One user's named list of symbols. Every change of its name, visibility or description is a new version. */
export interface Watchlist {
  watchlistId: string;
  /** the user who made it (from the verified context): its keys live under this user */
  ownerId: string;
  name: string;
  visibility: Visibility;
  description?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

/** A symbol on a watchlist, with its note and alert levels; the alert states are the alert check's. */
export interface WatchlistItem {
  watchlistId: string;
  ownerId: string;
  symbol: string;
  note?: string;
  alertAbove?: string;
  alertBelow?: string;
  aboveState?: AlertState;
  belowState?: AlertState;
  lastAlertAt?: string;
  addedAt: string;
  addedBy: string;
  updatedAt: string;
  updatedBy: string;
  version: number;
}

/** A grant to another member of the tenant. */
export interface Share {
  watchlistId: string;
  ownerId: string;
  userId: string;
  access: ShareAccess;
  sharedAt: string;
  sharedBy: string;
  version: number;
}

/** What a user's list of watchlists holds: their own, and references to those shared with them. */
export type LibraryEntry =
  | { kind: 'own'; watchlist: Watchlist }
  | { kind: 'shared'; watchlistId: string; ownerId: string; access: ShareAccess };

export interface Delivery {
  channel: 'email' | 'push' | 'sms';
  status: 'pending' | 'sent' | 'failed';
  messageId?: string;
  error?: string;
}

/** A notification as stored for its user (what GET /v1/me/notifications lists). */
export interface NotificationRecord {
  notificationId: string;
  userId: string;
  kind: 'watchlist.alert' | 'risk.halt' | 'schedule.failed';
  subject: string;
  body: string;
  resource?: string;
  deliveries: Delivery[];
  createdAt: string;
}

/** An entry of a user's library as an erasure sees it: `erasing` is a watchlist of theirs whose erasure began. */
export interface ErasureEntry {
  watchlistId: string;
  ownerId: string;
  entry: 'own' | 'erasing' | 'shared';
}

/** Most items one watchlist holds. */
export const MAX_ITEMS = 100;
/** Most users one watchlist is shared with (a delete removes every share in one transaction). */
export const MAX_SHARES = 25;

/**
 * One tenant's watchlists. Every method names the user whose keys it reads: the caller, or the
 * owner the caller's own records led to — never an id from a request body.
 */
export interface WatchlistStore {
  /** the user's own watchlist */
  getOwn(ownerId: string, watchlistId: string): Promise<Watchlist | undefined>;
  /** the user's reference to a watchlist shared with them */
  getSharedRef(userId: string, watchlistId: string): Promise<{ ownerId: string; access: ShareAccess } | undefined>;
  /** newest first; `all` adds the references to watchlists shared with the user */
  listLibrary(userId: string, page: PageRequest & { include: 'own' | 'all' }): Promise<Page<LibraryEntry>>;
  /** the watchlists of these owners, in no order; gone ones are absent */
  getMany(keys: ReadonlyArray<{ ownerId: string; watchlistId: string }>): Promise<Watchlist[]>;
  createWatchlist(uow: UnitOfWork, watchlist: Watchlist): void;
  /** while at `before.version` (412 otherwise) */
  updateWatchlist(uow: UnitOfWork, before: Watchlist, after: Watchlist): void;
  /** the watchlist and every share of it (both sides), while at its version; items go with `purgeItems` */
  deleteWatchlist(uow: UnitOfWork, watchlist: Watchlist, shares: readonly Share[]): void;
  /** after a delete: its items, outside the transaction (nothing reaches them once the watchlist is gone) */
  purgeItems(watchlist: Watchlist): Promise<void>;

  listShares(watchlist: Watchlist): Promise<Share[]>;
  getShare(watchlist: Watchlist, userId: string): Promise<Share | undefined>;
  /** creates it (expectedVersion undefined) or replaces it while at that version; the sharee's reference with it */
  putShare(uow: UnitOfWork, share: Share, expectedVersion: number | undefined): void;
  deleteShare(uow: UnitOfWork, share: Share): void;

  getItem(watchlist: Watchlist, symbol: string): Promise<WatchlistItem | undefined>;
  /** in symbol order */
  listItems(watchlist: Watchlist, page: PageRequest): Promise<Page<WatchlistItem>>;
  /** 409 ITEM_EXISTS when the symbol is on it, 409 WATCHLIST_FULL past MAX_ITEMS, 404 when the watchlist went */
  addItem(uow: UnitOfWork, item: WatchlistItem): void;
  /** the user's fields, while at `before.version`; an alert state is replaced only where `after` changed its level */
  updateItem(uow: UnitOfWork, before: WatchlistItem, after: WatchlistItem): void;
  deleteItem(uow: UnitOfWork, item: WatchlistItem): void;

  // --- a user's erasure (DELETE /v1/me): each call idempotent, so an interrupted erasure is simply run again ---

  /** the first entries of the user's library, whatever their state (own, shared with them, being erased) */
  erasureEntries(userId: string, limit: number): Promise<ErasureEntry[]>;
  /** the watchlist turns invisible and closed to changes (items, shares, renames) before its contents go */
  markErasing(ownerId: string, watchlistId: string): Promise<void>;
  /** its items, every share (both sides), then the watchlist itself; answers how many items and shares went */
  eraseWatchlist(ownerId: string, watchlistId: string): Promise<{ items: number; shares: number }>;
  /** the owners' side of these grants to the user first, then the user's references */
  eraseSharedRefs(userId: string, refs: ReadonlyArray<{ ownerId: string; watchlistId: string }>): Promise<void>;

  /** every item of the tenant with an alert level, a page at a time (the alert check) */
  alertItems(page: PageRequest): Promise<Page<WatchlistItem>>;
  /**
   * moves one side's state `from` → `to` while its level is still `level`: a second worker (or a
   * change of the level) makes the unit of work fail with 409 ALERT_ALREADY_MOVED
   */
  moveAlert(
    uow: UnitOfWork,
    item: WatchlistItem,
    side: AlertSide,
    move: { from: AlertState | undefined; to: AlertState; level: string; at: string },
  ): void;
}

export interface NotificationStore {
  /** staged with the change that caused it */
  put(uow: UnitOfWork, record: NotificationRecord): void;
  /** newest first */
  list(userId: string, page: PageRequest): Promise<Page<NotificationRecord>>;
  /** the outcome of each channel, once sent (outside the transaction that stored it) */
  setDeliveries(record: NotificationRecord, deliveries: readonly Delivery[]): Promise<void>;
  /** deletes up to `limit` of the user's notifications (a user's erasure); how many went (0: none left) */
  eraseSome(userId: string, limit: number): Promise<number>;
}
