import { type Backend, dataTableOf } from '@ballast/platform/http/handler.js';
import { DynamoNotificationStore, DynamoWatchlistStore } from './store.dynamo.js';
import type { NotificationRecord, Share, Watchlist, WatchlistItem } from './store.js';

/**
 * What this context holds about a user, for the profile's export (GET /v1/me/export) and erasure
 * (DELETE /v1/me). The profile context lists these two in its registries; this context names no
 * profile concept (the shapes below match profile's `ExportSection` and `ErasureStep` by structure),
 * so the dependency stays one-way: profile → watchlists' index.
 */

interface Subject {
  tenantId: string;
  userId: string;
}

/** Library entries read a page at a time while exporting or erasing. */
const PAGE = 100;
/** Notifications deleted a round (each a BatchWriteItem of 25). */
const NOTIFICATIONS_A_ROUND = 200;

const storesOf = (backend: Backend, subject: Subject) => {
  const table = dataTableOf(backend);
  return {
    watchlists: new DynamoWatchlistStore(backend.db, table, subject.tenantId),
    notifications: new DynamoNotificationStore(backend.db, table, subject.tenantId),
  };
};

async function allItems(store: DynamoWatchlistStore, watchlist: Watchlist): Promise<WatchlistItem[]> {
  const out: WatchlistItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listItems(watchlist, { limit: 200, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * The `watchlists` section of a user's export: their own watchlists, each with its items and the
 * shares they granted; the watchlists shared with them (id, name, owner, their access); and every
 * notification sent to them (newest first, with each channel's outcome).
 */
export async function collectWatchlists(backend: Backend, subject: Subject) {
  const { watchlists, notifications } = storesOf(backend, subject);
  const own: Array<Watchlist & { items: WatchlistItem[]; shares: Array<Omit<Share, 'ownerId' | 'watchlistId'>> }> = [];
  const sharedWithMe: Array<{ watchlistId: string; name: string; ownerId: string; access: Share['access'] }> = [];
  let cursor: string | undefined;
  do {
    const page = await watchlists.listLibrary(subject.userId, {
      include: 'all',
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    for (const entry of page.items) {
      if (entry.kind !== 'own') continue;
      const [items, shares] = await Promise.all([
        allItems(watchlists, entry.watchlist),
        watchlists.listShares(entry.watchlist),
      ]);
      own.push({
        ...entry.watchlist,
        items,
        shares: shares.map(({ ownerId: _o, watchlistId: _w, ...share }) => share),
      });
    }
    const refs = page.items.flatMap((e) => (e.kind === 'shared' ? [e] : []));
    const found = new Map((await watchlists.getMany(refs)).map((w) => [w.watchlistId, w] as const));
    for (const ref of refs) {
      const watchlist = found.get(ref.watchlistId);
      // a reference whose watchlist is gone shows nothing (its owner deleted or erased it)
      if (watchlist) {
        sharedWithMe.push({
          watchlistId: ref.watchlistId,
          name: watchlist.name,
          ownerId: ref.ownerId,
          access: ref.access,
        });
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const sent: Array<Omit<NotificationRecord, 'userId'>> = [];
  cursor = undefined;
  do {
    const page = await notifications.list(subject.userId, { limit: 200, ...(cursor ? { cursor } : {}) });
    sent.push(...page.items.map(({ userId: _u, ...n }) => n));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { own, sharedWithMe, notifications: sent };
}

/** The export section this context contributes (matches profile's `ExportSection`). */
export const watchlistsExportSection = { name: 'watchlists', collect: collectWatchlists } as const;

/** How much of an erasure one request may do: it stops between two steps once `now()` passes `until`. */
export interface ErasureBudget {
  until: number;
  now(): number;
}

/** What an erasure removed (counts only: the audit tombstone holds these, never what they were). */
export type WatchlistsErased = {
  watchlists: number;
  items: number;
  sharesGranted: number;
  sharesReceived: number;
  notifications: number;
};

/**
 * Erases what this context holds about a user, in the tenant of `backend` (its data table, with
 * write access): their own watchlists (items, the shares they granted — both sides — then the
 * watchlist), the shares granted to them on others' watchlists (the owner's side and their
 * reference), and their notifications. Every write is a delete that is harmless to repeat and each
 * watchlist goes last after its contents (`erasing` first, so no one changes it meanwhile), so an
 * erasure cut short — by the budget (`done: false`), a timeout or a failure — is finished by
 * running it again. Nothing here is audited: the caller's tombstone records the counts.
 */
export async function eraseWatchlistsOf(
  backend: Backend,
  subject: Subject,
  budget: ErasureBudget,
): Promise<{ done: boolean; erased: WatchlistsErased }> {
  const { watchlists, notifications } = storesOf(backend, subject);
  const erased: WatchlistsErased = { watchlists: 0, items: 0, sharesGranted: 0, sharesReceived: 0, notifications: 0 };
  const spent = () => budget.now() >= budget.until;
  // processed entries are deleted, so each round reads the first page again until none is left
  for (;;) {
    const entries = await watchlists.erasureEntries(subject.userId, PAGE);
    if (!entries.length) break;
    for (const entry of entries) {
      if (entry.entry === 'shared') continue;
      await watchlists.markErasing(subject.userId, entry.watchlistId);
      const gone = await watchlists.eraseWatchlist(subject.userId, entry.watchlistId);
      erased.watchlists += 1;
      erased.items += gone.items;
      erased.sharesGranted += gone.shares;
      // checked after a step, never before one: every run makes progress
      if (spent()) return { done: false, erased };
    }
    const refs = entries.flatMap((e) =>
      e.entry === 'shared' ? [{ ownerId: e.ownerId, watchlistId: e.watchlistId }] : [],
    );
    await watchlists.eraseSharedRefs(subject.userId, refs);
    erased.sharesReceived += refs.length;
    if (spent()) return { done: false, erased };
  }
  for (;;) {
    const gone = await notifications.eraseSome(subject.userId, NOTIFICATIONS_A_ROUND);
    erased.notifications += gone;
    if (gone < NOTIFICATIONS_A_ROUND) break;
    if (spent()) return { done: false, erased };
  }
  return { done: true, erased };
}

/** The erasure step this context contributes (matches profile's `ErasureStep`). */
export const watchlistsErasureStep = { name: 'watchlists', erase: eraseWatchlistsOf } as const;
