import {
  BASE32,
  encodeBase32,
  ID_TIME_CHARS as TIME_CHARS,
  ID_RANDOM_CHARS as RANDOM_CHARS,
  timeSortableId,
} from '@ballast/platform/data/ids.js';

/** A ULID-shaped portfolio id: `pf_` + 10 characters of creation time + 16 random characters. */
export const PORTFOLIO_ID = /^pf_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * A new portfolio id, time-sortable (DESIGN "HTTP conventions"): ids sort as text in the order of
 * their creation time (`nowMs`, the request's clock, the same instant as `createdAt`), so a list
 * keyed by id reads newest first by reading backwards. Within one millisecond of one process the
 * random part counts up, so ids made in a row keep their order; across processes the order within
 * a millisecond is arbitrary. Ids made before this scheme (`pf_` + 20 random letters and digits)
 * stay valid and readable; in lists they sort by their text, not by their age.
 */
export function newPortfolioId(nowMs: number): string {
  return timeSortableId('pf_', nowMs);
}

/** A ledger entry id (`tx_` + the same ULID shape): entries made in a row keep their order. */
export const TRANSACTION_ID = /^tx_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newTransactionId = (nowMs: number) => timeSortableId('tx_', nowMs);

/** An import id (`im_` + the same ULID shape). */
export const IMPORT_ID = /^im_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newImportId = (nowMs: number) => timeSortableId('im_', nowMs);

/**
 * The ledger entry id of row `row` of an import: derived, not random, so a retried import writes
 * the same entries again instead of new ones (no duplicates after an interrupted write).
 */
export function importEntryId(importId: string, row: number): string {
  // The import's time and half of its random part (two imports in one millisecond still differ), then the row.
  const half = RANDOM_CHARS / 2;
  return `tx_${importId.slice(3, 3 + TIME_CHARS + half)}${encodeBase32(BigInt(row), half)}`;
}

/** The creation time an id carries (for tests and support tooling), or undefined for an older id. */
export function portfolioIdTime(portfolioId: string): number | undefined {
  if (!PORTFOLIO_ID.test(portfolioId)) return undefined;
  let ms = 0;
  for (const ch of portfolioId.slice(3, 3 + TIME_CHARS)) ms = ms * 32 + BASE32.indexOf(ch);
  return ms;
}
