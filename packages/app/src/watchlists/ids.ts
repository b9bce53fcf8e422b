import { timeSortableId } from '@ballast/platform/data/ids.js';

export const WATCHLIST_ID = /^wl_[0-9A-HJKMNP-TV-Z]{26}$/;
export const NOTIFICATION_ID = /^nt_[0-9A-HJKMNP-TV-Z]{26}$/;

export const newWatchlistId = (nowMs: number) => timeSortableId('wl_', nowMs);
export const newNotificationId = (nowMs: number) => timeSortableId('nt_', nowMs);
