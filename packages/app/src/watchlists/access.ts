import type { RequestContext } from '@ballast/platform/context/types.js';
import { forbidden, notFound } from '@ballast/platform/errors.js';
import type { CallerAccess, Watchlist, WatchlistStore } from './store.js';

/**
 * The user a watchlist route acts for: a user's verified id. Watchlists are a person's, so an
 * API key (a project's machine credential) has none: 403 API_KEY_SCOPE.
 */
export function callerOf(ctx: RequestContext): string {
  const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : undefined;
  if (!userId) throw forbidden('API_KEY_SCOPE', "Watchlists and notifications are a user's: call with a user's token");
  return userId;
}

const missing = (watchlistId: string) => notFound('WATCHLIST_NOT_FOUND', `No watchlist ${watchlistId}`);

/**
 * The watchlist as the caller may see it: their own (owner), or one whose owner shared it with
 * them (their grant). Both lookups are keyed by the caller: a watchlist that is neither is a 404
 * whoever owns it, so an id says nothing about another user's lists.
 */
export async function watchlistFor(
  store: WatchlistStore,
  callerId: string,
  watchlistId: string,
): Promise<{ watchlist: Watchlist; access: CallerAccess }> {
  const own = await store.getOwn(callerId, watchlistId);
  if (own) return { watchlist: own, access: 'owner' };
  const ref = await store.getSharedRef(callerId, watchlistId);
  if (!ref) throw missing(watchlistId);
  const shared = await store.getOwn(ref.ownerId, watchlistId);
  if (!shared) throw missing(watchlistId);
  return { watchlist: shared, access: ref.access };
}

/** Renaming, sharing and deleting are the owner's alone; a sharee (read or edit) gets 403 WATCHLIST_OWNER_ONLY. */
export function requireOwner(access: CallerAccess): void {
  if (access !== 'owner') {
    throw forbidden('WATCHLIST_OWNER_ONLY', 'Only the owner may rename, share or delete this watchlist');
  }
}

/** Items change with the owner's or an `edit` grant; a `read` grant gets 403 WATCHLIST_READ_ONLY. */
export function requireEdit(access: CallerAccess): void {
  if (access === 'read') throw forbidden('WATCHLIST_READ_ONLY', 'This watchlist is shared with you to read only');
}
