import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { listQuery } from '@ballast/platform/schemas/common.js';
import { MARKET_DATA_USES } from '../market-data/index.js';
import * as s from './schemas.js';

/**
 * Watchlists are a user's, within their tenant: `tenant` routes (no X-Project-Id — a watchlist
 * belongs to no project), open to every member of any tier, acting for the verified user only.
 */
const member = { access: 'tenant', minTier: 'observer', roles: [] } as const;
const reader = { ...member, uses: { control: 'read', data: 'read' } } as const;
const listed = { ...member, uses: { control: 'read', data: 'read', secrets: ['cursor'] } } as const;
/** control: idempotency records, the alert check's due work, membership of a share's user */
const writer = { ...member, uses: { control: 'write', data: 'write' } } as const;
/** the items list prices each symbol through market data */
const priced = { ...member, uses: { ...MARKET_DATA_USES, secrets: ['tenant', 'cursor'] } } as const;

/** Watchlists, their items (with quotes and alert levels), shares to other members, and the user's notifications. */
export const routes = defineRoutes('watchlists', {
  createWatchlist: {
    id: 'watchlists.create',
    method: 'POST',
    path: '/v1/watchlists',
    summary:
      'Make a watchlist of your own (name 1–120 characters; visibility private, or shared: you may then grant ' +
      'other members of the tenant read or edit access)',
    ...writer,
    idempotent: true,
    request: { body: s.watchlistBody },
    responses: { 201: { description: 'Created (version 1)', body: s.watchlist, headers: ['ETag', 'Location'] } },
  },
  listWatchlists: {
    id: 'watchlists.list',
    method: 'GET',
    path: '/v1/watchlists',
    summary: 'Your watchlists, newest first; `include=shared` adds those shared with you, each with your `access`',
    ...listed,
    request: { query: s.watchlistQuery },
    responses: { 200: { description: 'A page of watchlists', body: s.watchlistPage } },
  },
  getWatchlist: {
    id: 'watchlists.get',
    method: 'GET',
    path: '/v1/watchlists/{watchlistId}',
    summary: 'A watchlist you own or that is shared with you (404 otherwise)',
    ...reader,
    request: { params: s.watchlistParams },
    responses: { 200: { description: 'The watchlist', body: s.watchlist, headers: ['ETag'] } },
  },
  patchWatchlist: {
    id: 'watchlists.patch',
    method: 'PATCH',
    path: '/v1/watchlists/{watchlistId}',
    summary:
      'Rename it, change its visibility or description (owner only: 403 WATCHLIST_OWNER_ONLY; If-Match). ' +
      'Private while shared is 409 WATCHLIST_HAS_SHARES',
    ...writer,
    ifMatch: 'required',
    request: { params: s.watchlistParams, body: s.watchlistPatch },
    responses: { 200: { description: 'The new version', body: s.watchlist, headers: ['ETag'] } },
  },
  deleteWatchlist: {
    id: 'watchlists.delete',
    method: 'DELETE',
    path: '/v1/watchlists/{watchlistId}',
    summary: 'Delete it with its items and shares (owner only; If-Match)',
    ...writer,
    ifMatch: 'required',
    request: { params: s.watchlistParams },
    responses: { 204: { description: 'Deleted' } },
  },
  addItem: {
    id: 'watchlists.items.add',
    method: 'POST',
    path: '/v1/watchlists/{watchlistId}/items',
    summary:
      'Add a symbol with an optional note and alert levels (decimal strings): owner or edit access. 409 ' +
      'ITEM_EXISTS, 409 WATCHLIST_FULL past 100 symbols',
    ...writer,
    idempotent: true,
    request: { params: s.watchlistParams, body: s.itemBody },
    responses: { 201: { description: 'Added (version 1)', body: s.item, headers: ['ETag', 'Location'] } },
  },
  listItems: {
    id: 'watchlists.items.list',
    method: 'GET',
    path: '/v1/watchlists/{watchlistId}/items',
    summary:
      "Its symbols in order, each with the tenant's latest price and its asOf (market data: quote cache, provider, " +
      'last stored close) or a null quote when none is known',
    ...priced,
    request: { params: s.watchlistParams, query: listQuery },
    responses: { 200: { description: 'A page of items with quotes', body: s.itemPage } },
  },
  patchItem: {
    id: 'watchlists.items.patch',
    method: 'PATCH',
    path: '/v1/watchlists/{watchlistId}/items/{symbol}',
    summary:
      'Change the note or alert levels (null clears one; a new level starts armed): owner or edit access, If-Match ' +
      'with the item version',
    ...writer,
    ifMatch: 'required',
    request: { params: s.itemParams, body: s.itemPatch },
    responses: { 200: { description: 'The item', body: s.item, headers: ['ETag'] } },
  },
  deleteItem: {
    id: 'watchlists.items.delete',
    method: 'DELETE',
    path: '/v1/watchlists/{watchlistId}/items/{symbol}',
    summary: 'Remove a symbol: owner or edit access, If-Match with the item version',
    ...writer,
    ifMatch: 'required',
    request: { params: s.itemParams },
    responses: { 204: { description: 'Removed' } },
  },
  putShare: {
    id: 'watchlists.shares.put',
    method: 'PUT',
    path: '/v1/watchlists/{watchlistId}/shares/{userId}',
    summary:
      'Grant a member of your tenant read or edit access (owner only; the watchlist must be shared: 409 ' +
      'WATCHLIST_PRIVATE). A user who is not a member of this tenant is 422 SHARE_TARGET_NOT_MEMBER; If-Match ' +
      'optional on a replace',
    ...writer,
    ifMatch: 'optional',
    request: { params: s.shareParams, body: s.shareBody },
    responses: {
      200: { description: 'The grant, replaced', body: s.share, headers: ['ETag'] },
      201: { description: 'The grant, made', body: s.share, headers: ['ETag', 'Location'] },
    },
  },
  deleteShare: {
    id: 'watchlists.shares.delete',
    method: 'DELETE',
    path: '/v1/watchlists/{watchlistId}/shares/{userId}',
    summary: 'Withdraw a grant (owner only; If-Match optional); the user then gets 404 on the watchlist',
    ...writer,
    ifMatch: 'optional',
    request: { params: s.shareParams },
    responses: { 204: { description: 'Withdrawn' } },
  },
  listNotifications: {
    id: 'notifications.list',
    method: 'GET',
    path: '/v1/me/notifications',
    summary:
      'Every notification sent to you (alerts, halts, failed schedules), newest first, with each channel’s outcome',
    ...listed,
    request: { query: listQuery },
    responses: { 200: { description: 'A page of notifications', body: s.notificationPage } },
  },
});
