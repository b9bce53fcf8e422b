import { createHash } from 'node:crypto';
import { encodeBase32, timeSortableId } from '@ballast/platform/data/ids.js';

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';
export const ACCOUNT_ID = new RegExp(`^ac_${ULID}$`);
export const ORDER_ID = new RegExp(`^or_${ULID}$`);
export const DECISION_ID = new RegExp(`^rd_${ULID}$`);
/** journal entries, automatic (fills) and manual (notes) alike */
export const JOURNAL_ID = new RegExp(`^jn_${ULID}$`);
/** what a note may name as its trade: an order (`or_…`) or one of its fills (`fl_…_0001`) */
export const TRADE_REFERENCE = new RegExp(`^(or_${ULID}|fl_${ULID}_[0-9]{4})$`);
export const TRADE_LOG_ID = new RegExp(`^tl_${ULID}$`);

export const newAccountId = (nowMs: number) => timeSortableId('ac_', nowMs);
export const newOrderId = (nowMs: number) => timeSortableId('or_', nowMs);
export const newDecisionId = (nowMs: number) => timeSortableId('rd_', nowMs);
export const newChangeId = (nowMs: number) => timeSortableId('mc_', nowMs);
export const newJournalId = (nowMs: number) => timeSortableId('jn_', nowMs);
export const newTradeLogId = (nowMs: number) => timeSortableId('tl_', nowMs);

/** The order a fill id belongs to (the inverse of fillIdOf's prefix). */
export const orderIdOfFill = (fillId: string) => `or_${fillId.slice(3, 29)}`;

/** The n-th fill of an order: derived, so a fill applied twice collides with itself instead of doubling. */
export const fillIdOf = (orderId: string, n: number) => `fl_${orderId.slice(3)}_${String(n).padStart(4, '0')}`;

/**
 * The broker's `client_order_id` (≤ 48 characters): derived from the order id, itself unique per
 * Idempotency-Key, so a retried submission names the same order and the broker refuses a second.
 */
export function clientOrderIdOf(tenantId: string, orderId: string): string {
  const tenant = createHash('sha256').update(tenantId).digest('base64url').slice(0, 8);
  return `blst-${tenant}-${orderId.slice(3)}`;
}

/**
 * The ledger entry id of an order's n-th fill (`tx_` + 26 base32 characters, like any entry): the
 * order's time, then 80 bits of a hash of (order, n) — the same fill always names the same entry,
 * and two orders made in one millisecond (ids that differ only in their last characters) never share one.
 */
export function ledgerEntryIdOf(orderId: string, n: number): string {
  const digest = createHash('sha256').update(`${orderId}#${n}`).digest();
  const random = BigInt(`0x${digest.subarray(0, 10).toString('hex')}`);
  return `tx_${orderId.slice(3, 13)}${encodeBase32(random, 16)}`;
}
