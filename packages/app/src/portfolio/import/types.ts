// The shapes the CSV parsers hand to the import service. Everything is a string: the service
// validates a candidate with the same schema as POST /transactions, so a parser only has to
// read the file faithfully, not to know every rule of the ledger.

import { LEDGER_TYPES, type LedgerType } from '@ballast/core/ledger/types.js';

export const IMPORT_FORMATS = ['generic', 'ibkr-activity', 'ibkr-flex', 'kraken-ledger', 'kraken-trades'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The ledger's own list of types: the importer can name no type the ledger does not know. */
export const TRANSACTION_TYPES = LEDGER_TYPES;
export type TransactionType = LedgerType;

/**
 * One transaction read from a file, before the ledger's own validation (the fields are those of
 * POST /transactions). Decimal fields are plain decimal strings (DECIMAL_RE) and, where present,
 * positive: the type carries the direction. Figures a parser derives (a Kraken price) have at most
 * 12 decimal places, the ledger's limit.
 */
export interface CandidateTransaction {
  type: string;
  symbol?: string;
  quantity?: string;
  price?: string;
  fee?: string;
  amount?: string;
  /** "new:old", e.g. "2:1" (two shares for one) or "1:10". */
  ratio?: string;
  currency?: string;
  /** Base-currency units per unit of `currency` as the broker confirmed it (IBKR Flex FXRateToBase). */
  fxRate?: string;
  /** YYYY-MM-DD */
  tradeDate?: string;
  /** YYYY-MM-DD */
  settleDate?: string;
  note?: string;
  /** The broker's own id where it has one (Kraken txid/refid, IBKR Flex TradeID): re-imports de-duplicate on it. */
  externalId?: string;
  source: 'csv' | 'ibkr' | 'kraken';
}

/** `row` is the 1-based physical line where the record starts, as a person sees it in an editor. */
export interface CandidateRow {
  row: number;
  tx: CandidateTransaction;
}

/** A record that could not become a candidate; `field` is the column as headed in the file. */
export interface RowRejection {
  row: number;
  reason: string;
  field?: string;
}

/**
 * What a file yielded. Every record is accounted for once: `rowsRead` = records behind the
 * candidates (two for a Kraken ledger trade) + `rejected.length` + `skipped`. The single header
 * row of a one-table file is not a record; an IBKR statement's section headers are (skipped).
 */
export interface ParsedImport {
  format: ImportFormat;
  rowsRead: number;
  candidates: CandidateRow[];
  rejected: RowRejection[];
  /** Totals, subtotals, notes, repeated headers, failed entries, sections we do not import. */
  skipped: number;
}

export type ImportFormatErrorCode = 'UNRECOGNISED_FORMAT' | 'MISSING_COLUMNS' | 'MALFORMED_CSV';

/** A problem with the file as a whole (never with one row): nothing in it can be trusted. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
  constructor(
    readonly code: ImportFormatErrorCode,
    message: string,
    readonly details: { missing?: string[]; row?: number } = {},
  ) {
    super(message);
  }
}
