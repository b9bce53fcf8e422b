import { AppError, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { callerOf, requireEdit, requireOwner, watchlistFor } from './access.js';
import { checkAlerts, scheduleAlertCheck } from './alerts.js';
import { newWatchlistId } from './ids.js';
import type { jobs } from './jobs.js';
import type { WatchlistsHandler, WatchlistsJobHandler, WatchlistsPorts } from './ports.js';
import type { routes } from './routes.js';
import { type CallerAccess, MAX_SHARES, type Share, type Watchlist, type WatchlistItem } from './store.js';

type R = typeof routes;
type J = typeof jobs;

const iso = (ms: number) => new Date(ms).toISOString();
const watchlistPath = (id: string) => `/v1/watchlists/${id}`;
const resourceOf = (w: Pick<Watchlist, 'watchlistId'>) => `watchlists/${w.watchlistId}`;
const view = (watchlist: Watchlist, access: CallerAccess) => ({ ...watchlist, access });
const hasAlert = (item: Pick<WatchlistItem, 'alertAbove' | 'alertBelow'>) =>
  item.alertAbove !== undefined || item.alertBelow !== undefined;
const checkVersion = (what: string, version: number, ifMatch: number | undefined) => {
  if (ifMatch !== undefined && ifMatch !== version) throw preconditionFailed(`The ${what} is at version ${version}`);
};

// --- watchlists -----------------------------------------------------------------------------

export const createWatchlist: WatchlistsHandler<R['createWatchlist']> = async ({ body }, h) => {
  const owner = callerOf(h.ctx);
  const at = iso(h.now);
  const watchlist: Watchlist = {
    watchlistId: newWatchlistId(h.now),
    ownerId: owner,
    name: body.name,
    visibility: body.visibility,
    ...(body.description !== undefined ? { description: body.description } : {}),
    createdAt: at,
    createdBy: owner,
    updatedAt: at,
    updatedBy: owner,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.watchlists.createWatchlist(uow, watchlist);
  uow.audit({ action: 'watchlists.create', resource: resourceOf(watchlist), after: watchlist });
  await uow.commit();
  return {
    status: 201,
    body: view(watchlist, 'owner'),
    headers: { ETag: etag(1), Location: watchlistPath(watchlist.watchlistId) },
  };
};

export const listWatchlists: WatchlistsHandler<R['listWatchlists']> = async ({ query }, h) => {
  const caller = callerOf(h.ctx);
  const { include, ...page } = query;
  const found = await h.ports.watchlists.listLibrary(caller, {
    ...page,
    include: include === 'shared' ? 'all' : 'own',
  });
  const refs = found.items.flatMap((e) => (e.kind === 'shared' ? [e] : []));
  const shared = new Map(
    (await h.ports.watchlists.getMany(refs)).map((w) => [`${w.ownerId}#${w.watchlistId}`, w] as const),
  );
  const items = found.items.flatMap((entry) => {
    if (entry.kind === 'own') return [view(entry.watchlist, 'owner')];
    const watchlist = shared.get(`${entry.ownerId}#${entry.watchlistId}`);
    return watchlist ? [view(watchlist, entry.access)] : [];
  });
  return { status: 200, body: { items, nextCursor: found.nextCursor } };
};

export const getWatchlist: WatchlistsHandler<R['getWatchlist']> = async ({ params }, h) => {
  const { watchlist, access } = await watchlistFor(h.ports.watchlists, callerOf(h.ctx), params.watchlistId);
  return { status: 200, body: view(watchlist, access), headers: { ETag: etag(watchlist.version) } };
};

export const patchWatchlist: WatchlistsHandler<R['patchWatchlist']> = async ({ params, body, ifMatch }, h) => {
  const caller = callerOf(h.ctx);
  const { watchlist: before, access } = await watchlistFor(h.ports.watchlists, caller, params.watchlistId);
  requireOwner(access);
  checkVersion('watchlist', before.version, ifMatch);
  const { description: _description, ...kept } = before;
  const description = body.description === undefined ? before.description : (body.description ?? undefined);
  const after: Watchlist = {
    ...kept,
    name: body.name ?? before.name,
    visibility: body.visibility ?? before.visibility,
    ...(description !== undefined ? { description } : {}),
    updatedAt: iso(h.now),
    updatedBy: caller,
    version: before.version + 1,
  };
  if (after.visibility === 'private' && before.visibility === 'shared') {
    const shares = await h.ports.watchlists.listShares(before);
    if (shares.length) {
      throw conflict(
        'WATCHLIST_HAS_SHARES',
        `The watchlist is shared with ${shares.length} user(s): withdraw the shares before making it private`,
      );
    }
  }
  const uow = h.unitOfWork();
  h.ports.watchlists.updateWatchlist(uow, before, after);
  uow.audit({ action: 'watchlists.update', resource: resourceOf(after), before, after });
  await uow.commit();
  return { status: 200, body: view(after, 'owner'), headers: { ETag: etag(after.version) } };
};

export const deleteWatchlist: WatchlistsHandler<R['deleteWatchlist']> = async ({ params, ifMatch }, h) => {
  const { watchlist, access } = await watchlistFor(h.ports.watchlists, callerOf(h.ctx), params.watchlistId);
  requireOwner(access);
  checkVersion('watchlist', watchlist.version, ifMatch);
  const shares = await h.ports.watchlists.listShares(watchlist);
  const uow = h.unitOfWork();
  h.ports.watchlists.deleteWatchlist(uow, watchlist, shares);
  uow.audit({ action: 'watchlists.delete', resource: resourceOf(watchlist), before: { ...watchlist, shares } });
  await uow.commit();
  await h.ports.watchlists.purgeItems(watchlist);
  return { status: 204 };
};

// --- items ----------------------------------------------------------------------------------

const itemPath = (item: WatchlistItem) => `/v1/watchlists/${item.watchlistId}/items/${item.symbol}`;
const itemResource = (item: WatchlistItem) => `watchlists/${item.watchlistId}/items/${item.symbol}`;

export const addItem: WatchlistsHandler<R['addItem']> = async ({ params, body }, h) => {
  const caller = callerOf(h.ctx);
  const { watchlist, access } = await watchlistFor(h.ports.watchlists, caller, params.watchlistId);
  requireEdit(access);
  const at = iso(h.now);
  const item: WatchlistItem = {
    watchlistId: watchlist.watchlistId,
    ownerId: watchlist.ownerId,
    symbol: body.symbol,
    ...(body.note !== undefined ? { note: body.note } : {}),
    ...(body.alertAbove !== undefined ? { alertAbove: body.alertAbove, aboveState: 'armed' as const } : {}),
    ...(body.alertBelow !== undefined ? { alertBelow: body.alertBelow, belowState: 'armed' as const } : {}),
    addedAt: at,
    addedBy: caller,
    updatedAt: at,
    updatedBy: caller,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.watchlists.addItem(uow, item);
  if (hasAlert(item)) scheduleAlertCheck(h.ports.due, uow, h.ports.scope, h.now, 'changed');
  uow.audit({ action: 'watchlists.items.add', resource: itemResource(item), after: item });
  await uow.commit();
  return { status: 201, body: item, headers: { ETag: etag(1), Location: itemPath(item) } };
};

export const listItems: WatchlistsHandler<R['listItems']> = async ({ params, query }, h) => {
  const { watchlist } = await watchlistFor(h.ports.watchlists, callerOf(h.ctx), params.watchlistId);
  const page = await h.ports.watchlists.listItems(watchlist, query);
  let quotes = new Map<string, { price: string; currency?: string; asOf: string; stale: boolean; source: string }>();
  let quoteProblem: { code: string; detail: string } | undefined;
  if (page.items.length) {
    try {
      quotes = await h.ports.prices().latest(page.items.map((i) => i.symbol));
    } catch (e) {
      // a tenant without (or with a broken) market-data entry still sees its symbols, unpriced
      if (!(e instanceof AppError) || e.status !== 503) throw e;
      quoteProblem = { code: e.code, detail: e.message };
    }
  }
  const items = page.items.map((item) => {
    const found = quotes.get(item.symbol);
    const quote = found
      ? {
          price: found.price,
          ...(found.currency ? { currency: found.currency } : {}),
          asOf: found.asOf,
          stale: found.stale,
          source: found.source as 'quote' | 'candle',
        }
      : null;
    return { ...item, quote };
  });
  return { status: 200, body: { items, nextCursor: page.nextCursor, ...(quoteProblem ? { quoteProblem } : {}) } };
};

async function itemFor(ports: WatchlistsPorts, caller: string, watchlistId: string, symbol: string) {
  const { watchlist, access } = await watchlistFor(ports.watchlists, caller, watchlistId);
  requireEdit(access);
  const item = await ports.watchlists.getItem(watchlist, symbol);
  if (!item) throw notFound('ITEM_NOT_FOUND', `${symbol} is not on watchlist ${watchlistId}`);
  return { watchlist, item };
}

export const patchItem: WatchlistsHandler<R['patchItem']> = async ({ params, body, ifMatch }, h) => {
  const caller = callerOf(h.ctx);
  const { item: before } = await itemFor(h.ports, caller, params.watchlistId, params.symbol);
  checkVersion('item', before.version, ifMatch);
  const pick = (sent: string | null | undefined, was: string | undefined) =>
    sent === undefined ? was : (sent ?? undefined);
  const note = pick(body.note, before.note);
  const alertAbove = pick(body.alertAbove, before.alertAbove);
  const alertBelow = pick(body.alertBelow, before.alertBelow);
  const { note: _n, alertAbove: _a, alertBelow: _b, aboveState: _as, belowState: _bs, ...kept } = before;
  // a changed level starts armed: the next crossing of the new level notifies
  const aboveState =
    alertAbove === undefined ? undefined : alertAbove === before.alertAbove ? before.aboveState : 'armed';
  const belowState =
    alertBelow === undefined ? undefined : alertBelow === before.alertBelow ? before.belowState : 'armed';
  const after: WatchlistItem = {
    ...kept,
    ...(note !== undefined ? { note } : {}),
    ...(alertAbove !== undefined ? { alertAbove, ...(aboveState ? { aboveState } : {}) } : {}),
    ...(alertBelow !== undefined ? { alertBelow, ...(belowState ? { belowState } : {}) } : {}),
    updatedAt: iso(h.now),
    updatedBy: caller,
    version: before.version + 1,
  };
  const uow = h.unitOfWork();
  h.ports.watchlists.updateItem(uow, before, after);
  if (hasAlert(after)) scheduleAlertCheck(h.ports.due, uow, h.ports.scope, h.now, 'changed');
  uow.audit({ action: 'watchlists.items.update', resource: itemResource(after), before, after });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const deleteItem: WatchlistsHandler<R['deleteItem']> = async ({ params, ifMatch }, h) => {
  const { item } = await itemFor(h.ports, callerOf(h.ctx), params.watchlistId, params.symbol);
  checkVersion('item', item.version, ifMatch);
  const uow = h.unitOfWork();
  h.ports.watchlists.deleteItem(uow, item);
  uow.audit({ action: 'watchlists.items.delete', resource: itemResource(item), before: item });
  await uow.commit();
  return { status: 204 };
};

// --- shares ---------------------------------------------------------------------------------

export const putShare: WatchlistsHandler<R['putShare']> = async ({ params, body, ifMatch }, h) => {
  const caller = callerOf(h.ctx);
  const { watchlist, access } = await watchlistFor(h.ports.watchlists, caller, params.watchlistId);
  requireOwner(access);
  if (watchlist.visibility !== 'shared') {
    throw conflict('WATCHLIST_PRIVATE', 'The watchlist is private: make it shared (PATCH visibility) first');
  }
  if (params.userId === caller) {
    throw new AppError(422, 'SHARE_WITH_SELF', 'You own this watchlist: share it with someone else');
  }
  // the membership record of this tenant: a user of another tenant has none, and is refused the same way
  if (!(await h.ports.isMember(params.userId))) {
    throw new AppError(422, 'SHARE_TARGET_NOT_MEMBER', `${params.userId} is not a member of this tenant`);
  }
  const before = await h.ports.watchlists.getShare(watchlist, params.userId);
  if (before) checkVersion('share', before.version, ifMatch);
  else if (ifMatch !== undefined) throw preconditionFailed(`No share with ${params.userId} exists yet`);
  else if ((await h.ports.watchlists.listShares(watchlist)).length >= MAX_SHARES) {
    throw conflict('SHARES_FULL', `A watchlist is shared with at most ${MAX_SHARES} users`);
  }
  const share: Share = {
    watchlistId: watchlist.watchlistId,
    ownerId: watchlist.ownerId,
    userId: params.userId,
    access: body.access,
    sharedAt: iso(h.now),
    sharedBy: caller,
    version: (before?.version ?? 0) + 1,
  };
  const uow = h.unitOfWork();
  h.ports.watchlists.putShare(uow, share, before?.version);
  uow.audit({
    action: 'watchlists.shares.put',
    resource: `${resourceOf(watchlist)}/shares/${share.userId}`,
    before: before ?? null,
    after: share,
  });
  await uow.commit();
  const { ownerId: _owner, ...shown } = share;
  const tag: Record<'ETag', string> = { ETag: etag(share.version) };
  if (before) return { status: 200, body: shown, headers: tag };
  const location = `${watchlistPath(watchlist.watchlistId)}/shares/${share.userId}`;
  return { status: 201, body: shown, headers: { ...tag, Location: location } };
};

export const deleteShare: WatchlistsHandler<R['deleteShare']> = async ({ params, ifMatch }, h) => {
  const { watchlist, access } = await watchlistFor(h.ports.watchlists, callerOf(h.ctx), params.watchlistId);
  requireOwner(access);
  const share = await h.ports.watchlists.getShare(watchlist, params.userId);
  if (!share) throw notFound('SHARE_NOT_FOUND', `The watchlist is not shared with ${params.userId}`);
  checkVersion('share', share.version, ifMatch);
  const uow = h.unitOfWork();
  h.ports.watchlists.deleteShare(uow, share);
  uow.audit({
    action: 'watchlists.shares.delete',
    resource: `${resourceOf(watchlist)}/shares/${share.userId}`,
    before: share,
  });
  await uow.commit();
  return { status: 204 };
};

// --- notifications --------------------------------------------------------------------------

export const listNotifications: WatchlistsHandler<R['listNotifications']> = async ({ query }, h) => {
  const page = await h.ports.notifications.list(callerOf(h.ctx), query);
  const items = page.items.map(({ userId: _user, ...n }) => n);
  return { status: 200, body: { items, nextCursor: page.nextCursor } };
};

// --- the alert check ------------------------------------------------------------------------

/**
 * The tenant's alert check (one run a minute at most: its due work is one per tenant and minute).
 * While any item has an alert level it books itself for the next minute, in the same commit
 * pattern as every due work: the loop stops by itself once no alert is left, and an item change
 * starts it again.
 */
export const runAlertCheck: WatchlistsJobHandler<J['alertCheck']> = async (_payload, h) => {
  const ports = h.ports;
  const report = await checkAlerts({
    tenantId: ports.scope.tenantId,
    watchlists: ports.watchlists,
    notifications: ports.notifications,
    notifier: ports.notifier,
    channelsFor: ports.channelsFor,
    prices: ports.prices,
    now: h.now,
    unitOfWork: h.unitOfWork,
  });
  if (report.items > 0) {
    const uow = h.unitOfWork();
    scheduleAlertCheck(ports.due, uow, ports.scope, h.now, 'minute');
    await uow.commit();
  }
  h.logger.info('watchlist alerts checked', { ...report });
  return 'processed';
};
