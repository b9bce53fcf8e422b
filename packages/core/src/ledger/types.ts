// The ledger's vocabulary: entry types, the entry, lots, positions, the book, the effect of one
// entry and the rule error. The engine that gives them meaning is `book.ts`; its module comment
// states the semantics of every entry type.

export const LEDGER_TYPES = [
  'BUY',
  'SELL',
  'DIVIDEND',
  'INTEREST',
  'FEE',
  'DEPOSIT',
  'WITHDRAWAL',
  'SPLIT',
  'TRANSFER_IN',
  'TRANSFER_OUT',
] as const;
export type LedgerType = (typeof LEDGER_TYPES)[number];

/** One booked event. Every amount is a decimal string; which fields matter depends on `type`. */
export interface LedgerEntry {
  /** Time-sortable id; entries on the same tradeDate are applied in entryId order. */
  entryId: string;
  type: LedgerType;
  /** 'YYYY-MM-DD'. */
  tradeDate: string;
  /** BUY, SELL, SPLIT, DIVIDEND (optional), TRANSFER_IN/OUT of securities. */
  symbol?: string;
  /** BUY, SELL, TRANSFER_IN/OUT of securities; > 0. */
  quantity?: string;
  /** BUY, SELL (>= 0); TRANSFER_IN/OUT of securities: the per-unit value at transfer. */
  price?: string;
  /** BUY, SELL (>= 0, default 0). */
  fee?: string;
  /** DEPOSIT, WITHDRAWAL, DIVIDEND, INTEREST, FEE, cash TRANSFER_IN/OUT; > 0. */
  amount?: string;
  /** SPLIT, "new:old": "2:1" gives 2 new shares for 1 old, "1:10" is a reverse split. */
  ratio?: string;
  /** The entry's currency (ISO 4217). */
  currency: string;
  /** Base-currency units per 1 unit of `currency`; required when `currency` is not the book's base currency. */
  fxRate?: string;
}

/** A tax lot: what one BUY or TRANSFER_IN opened, less what sells and transfers out took from it. */
export interface Lot {
  /** The entryId of the BUY / TRANSFER_IN that opened it. */
  lotId: string;
  /** 'YYYY-MM-DD'. */
  acquired: string;
  quantity: string;
  /** Exact, in the position's currency, fee included. */
  costBasis: string;
}

export interface PositionState {
  symbol: string;
  /** The currency of the entry that opened the position; every later entry for it must match. */
  currency: string;
  /** Open lots in FIFO order (acquired, then lotId); empty once everything is sold. */
  lots: Lot[];
  /** Accumulated realised gain, position currency. */
  realisedGain: string;
  /** Accumulated dividends, position currency. */
  income: string;
}

export interface BookState {
  baseCurrency: string;
  /** Base currency, every minor digit shown ("1234.50"). */
  cash: string;
  positions: Record<string, PositionState>;
  /** The latest tradeDate applied. */
  lastTradeDate?: string;
}

/** The part of one lot a SELL or TRANSFER_OUT took. */
export interface RealisedLot {
  lotId: string;
  acquired: string;
  quantity: string;
  /** The lot's basis that left with `quantity`. */
  costBasis: string;
}

export interface EntryEffect {
  entryId: string;
  /** Base currency, rounded to its minor unit (half-even), signed. */
  cashDelta: string;
  /**
   * Base currency, signed: deposits and transfers in +, withdrawals and transfers out −. Absent
   * for entries that are return, not flow (trades, dividends, interest, fees, splits).
   */
  externalFlow?: string;
  /** SELL: what was sold, in the position's currency. */
  realised?: { quantity: string; proceeds: string; costBasis: string; gain: string; lots: RealisedLot[] };
  /** TRANSFER_OUT of securities: the lots that left, in the position's currency (no gain is realised). */
  transferred?: { quantity: string; costBasis: string; lots: RealisedLot[] };
}

export type LedgerRuleCode =
  | 'INSUFFICIENT_QUANTITY'
  | 'INSUFFICIENT_CASH'
  | 'FX_RATE_REQUIRED'
  | 'NO_POSITION'
  | 'CURRENCY_MISMATCH'
  | 'INVALID_ENTRY';

/** An entry the book refuses. `details` holds the figures the rule compared, as strings. */
export class LedgerRuleError extends Error {
  constructor(
    readonly code: LedgerRuleCode,
    message: string,
    readonly entryId: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'LedgerRuleError';
  }
}
