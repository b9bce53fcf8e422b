// The ledger engine: a book (cash + positions of FIFO lots) and the pure transition that applies
// one entry to it. Exact decimals throughout (decimal.js via money.ts); amounts go in and come
// out as decimal strings, so a book can be stored and sent as-is.
//
// Semantics, per entry type (fx = the entry's fxRate, 1 for the base currency):
// - BUY: quantity > 0, price >= 0, fee >= 0 (default 0). cost = quantity·price + fee, exact, in
//   the entry's currency. Opens the lot { lotId: entryId, acquired: tradeDate, quantity,
//   costBasis: cost }. Cash −= round(cost·fx).
// - SELL: 0 < quantity <= held (else INSUFFICIENT_QUANTITY, also when nothing is held).
//   proceeds = quantity·price − fee. Lots are consumed FIFO by (acquired, lotId); a lot partly
//   taken gives up basis·take/quantity and keeps basis − that, so basis is conserved exactly
//   (see `consumedBasis`). gain = proceeds − consumed basis, added to the position's
//   realisedGain. Cash += round(proceeds·fx). Emptied lots are removed; the position stays in
//   the book with no lots (quantity 0), keeping its realisedGain and income.
// - DIVIDEND, INTEREST: amount > 0; cash += round(amount·fx). A DIVIDEND naming a symbol that is
//   in the book adds amount to that position's income; otherwise it is cash only.
// - FEE, WITHDRAWAL: amount > 0; cash −= round(amount·fx). DEPOSIT: cash += round(amount·fx).
//   A deposit is an external flow of +cashDelta, a withdrawal of −.
// - SPLIT: symbol and ratio "new:old" (positive decimals); every lot's quantity ·= new/old,
//   basis unchanged. No position, or one with quantity 0, is NO_POSITION. Needs no fxRate.
// - TRANSFER_IN with a symbol: opens a lot at basis quantity·price (price = the per-unit value
//   at transfer); no cash moves; external flow + quantity·price·fx. TRANSFER_OUT with a symbol:
//   removes quantity FIFO like a SELL (same INSUFFICIENT_QUANTITY rule) but realises nothing
//   and moves no cash; external flow − quantity·price·fx. Without a symbol either is a cash
//   transfer of amount, booked exactly like a DEPOSIT / WITHDRAWAL.
//
// Rules, checked in this order: INVALID_ENTRY (a field missing or malformed for the type,
// naming it), FX_RATE_REQUIRED (currency is not the base and no fxRate), CURRENCY_MISMATCH (a
// position's currency is that of the entry that opened it; every later entry for the symbol
// must be in it), INSUFFICIENT_QUANTITY / NO_POSITION, and last INSUFFICIENT_CASH: any entry
// that takes cash (a BUY, FEE, WITHDRAWAL, cash TRANSFER_OUT, or a SELL whose fee exceeds its
// value) and leaves cash below zero, unless `allowNegativeCash`.
//
// Rounding: only cash is rounded, to the base currency's minor unit, half-even, once per entry
// (round(x·fx), never the sum of rounded parts). Lots, gains and income stay exact in the
// position's currency; realised gain carries no FX component. External flows of cash entries
// are their cashDelta, string for string; those of security transfers are exact (no cash is
// booked, so nothing is rounded). Each lot's figures are exact to the digit; sums of them (a
// sell's basis over several lots, accumulated gain and income) are decimal.js sums at 34
// significant digits, exact for any realistic money.
import { Dec, decimalString, formatMoney, minorUnits, money, roundToMinor, type D } from '../money.js';
import {
  checkEntryHeader,
  fxRateToBase,
  nonNegativeField,
  optionalSymbol,
  positiveField,
  requiredSymbol,
  splitRatio,
} from './fields.js';
import { insertLot, splitLots, takeFifo, totalQuantity } from './lots.js';
import { LedgerRuleError, type BookState, type EntryEffect, type LedgerEntry, type PositionState } from './types.js';

export interface ApplyOptions {
  /** Let cash go below zero (a margin or overdraft account). Default false. */
  allowNegativeCash?: boolean;
}

/** A book with no positions; `cash` is formatted in the base currency (which must be known). */
export function emptyBook(baseCurrency: string, cash = '0'): BookState {
  minorUnits(baseCurrency);
  return { baseCurrency, cash: formatMoney(cash, baseCurrency), positions: {} };
}

/** Ledger order: tradeDate, then entryId (plain code-unit order, as ids are time-sortable). */
export function compareEntries(a: LedgerEntry, b: LedgerEntry): number {
  if (a.tradeDate !== b.tradeDate) return a.tradeDate < b.tradeDate ? -1 : 1;
  if (a.entryId !== b.entryId) return a.entryId < b.entryId ? -1 : 1;
  return 0;
}

/** What one entry changes, before it is folded into the book. */
interface Change {
  cashDelta: D;
  /** The position written back (created or updated); absent when none changes. */
  position?: PositionState;
  /** Already a string: cash flows are formatted like cashDelta, security transfers exact. */
  externalFlow?: string;
  realised?: EntryEffect['realised'];
  transferred?: EntryEffect['transferred'];
}

/** Own properties only: a symbol such as "constructor" must not find Object.prototype's. */
function findPosition(book: BookState, symbol: string): PositionState | undefined {
  return Object.hasOwn(book.positions, symbol) ? book.positions[symbol] : undefined;
}

function requireSameCurrency(entry: LedgerEntry, position: PositionState | undefined): void {
  if (position && position.currency !== entry.currency) {
    throw new LedgerRuleError(
      'CURRENCY_MISMATCH',
      `entry ${entry.entryId}: ${position.symbol} is held in ${position.currency}, the entry is in ${entry.currency}`,
      entry.entryId,
      { symbol: position.symbol, positionCurrency: position.currency, entryCurrency: entry.currency },
    );
  }
}

/** The position holding at least `requested` units; a missing one holds nothing, so it is refused too. */
function heldPosition(
  entry: LedgerEntry,
  symbol: string,
  position: PositionState | undefined,
  requested: D,
): PositionState {
  const held = position ? totalQuantity(position.lots) : new Dec(0);
  if (!position || requested.gt(held)) {
    throw new LedgerRuleError(
      'INSUFFICIENT_QUANTITY',
      `entry ${entry.entryId}: ${decimalString(requested)} ${symbol} requested, ${decimalString(held)} held`,
      entry.entryId,
      { symbol, requested: decimalString(requested), held: decimalString(held) },
    );
  }
  return position;
}

function openPosition(symbol: string, currency: string): PositionState {
  return { symbol, currency, lots: [], realisedGain: '0', income: '0' };
}

function buy(book: BookState, entry: LedgerEntry): Change {
  const symbol = requiredSymbol(entry);
  const quantity = positiveField(entry, 'quantity');
  const price = nonNegativeField(entry, 'price');
  const fee = nonNegativeField(entry, 'fee', new Dec(0));
  const fx = fxRateToBase(entry, book.baseCurrency);
  const existing = findPosition(book, symbol);
  requireSameCurrency(entry, existing);
  const position = existing ?? openPosition(symbol, entry.currency);
  requireNewLot(entry, position);
  const cost = quantity.times(price).plus(fee);
  const lot = {
    lotId: entry.entryId,
    acquired: entry.tradeDate,
    quantity: decimalString(quantity),
    costBasis: decimalString(cost),
  };
  return {
    cashDelta: roundToMinor(cost.times(fx), book.baseCurrency).negated(),
    position: { ...position, lots: insertLot(position.lots, lot) },
  };
}

/** An entry applied twice would open a second lot with the same id; the lot id must stay unique. */
function requireNewLot(entry: LedgerEntry, position: PositionState): void {
  if (position.lots.some((lot) => lot.lotId === entry.entryId)) {
    throw new LedgerRuleError(
      'INVALID_ENTRY',
      `entry ${entry.entryId}: entryId already opened a lot of ${position.symbol}`,
      entry.entryId,
      { field: 'entryId', reason: 'already opened a lot' },
    );
  }
}

function sell(book: BookState, entry: LedgerEntry): Change {
  const symbol = requiredSymbol(entry);
  const quantity = positiveField(entry, 'quantity');
  const price = nonNegativeField(entry, 'price');
  const fee = nonNegativeField(entry, 'fee', new Dec(0));
  const fx = fxRateToBase(entry, book.baseCurrency);
  const position = findPosition(book, symbol);
  requireSameCurrency(entry, position);
  const held = heldPosition(entry, symbol, position, quantity);
  const fifo = takeFifo(held.lots, quantity);
  const proceeds = quantity.times(price).minus(fee);
  const gain = proceeds.minus(fifo.costBasis);
  return {
    cashDelta: roundToMinor(proceeds.times(fx), book.baseCurrency),
    position: {
      ...held,
      lots: fifo.remaining,
      realisedGain: decimalString(money(held.realisedGain).plus(gain)),
    },
    realised: {
      quantity: decimalString(quantity),
      proceeds: decimalString(proceeds),
      costBasis: decimalString(fifo.costBasis),
      gain: decimalString(gain),
      lots: fifo.taken,
    },
  };
}

function income(book: BookState, entry: LedgerEntry): Change {
  const symbol = entry.type === 'DIVIDEND' ? optionalSymbol(entry) : undefined;
  const amount = positiveField(entry, 'amount');
  const fx = fxRateToBase(entry, book.baseCurrency);
  const position = symbol === undefined ? undefined : findPosition(book, symbol);
  requireSameCurrency(entry, position);
  const cashDelta = roundToMinor(amount.times(fx), book.baseCurrency);
  if (!position) return { cashDelta };
  return { cashDelta, position: { ...position, income: decimalString(money(position.income).plus(amount)) } };
}

function cashMovement(book: BookState, entry: LedgerEntry, direction: 1 | -1, external: boolean): Change {
  const amount = positiveField(entry, 'amount');
  const fx = fxRateToBase(entry, book.baseCurrency);
  const cashDelta = roundToMinor(amount.times(fx), book.baseCurrency).times(direction);
  return external ? { cashDelta, externalFlow: formatMoney(cashDelta, book.baseCurrency) } : { cashDelta };
}

function split(book: BookState, entry: LedgerEntry): Change {
  const symbol = requiredSymbol(entry);
  const { newShares, oldShares } = splitRatio(entry);
  const position = findPosition(book, symbol);
  requireSameCurrency(entry, position);
  if (!position || totalQuantity(position.lots).isZero()) {
    throw new LedgerRuleError('NO_POSITION', `entry ${entry.entryId}: no ${symbol} is held to split`, entry.entryId, {
      symbol,
    });
  }
  return { cashDelta: new Dec(0), position: { ...position, lots: splitLots(position.lots, newShares, oldShares) } };
}

function transferIn(book: BookState, entry: LedgerEntry): Change {
  const symbol = optionalSymbol(entry);
  if (symbol === undefined) return cashMovement(book, entry, 1, true);
  const quantity = positiveField(entry, 'quantity');
  const price = nonNegativeField(entry, 'price');
  const fx = fxRateToBase(entry, book.baseCurrency);
  const existing = findPosition(book, symbol);
  requireSameCurrency(entry, existing);
  const position = existing ?? openPosition(symbol, entry.currency);
  requireNewLot(entry, position);
  const value = quantity.times(price);
  const lot = {
    lotId: entry.entryId,
    acquired: entry.tradeDate,
    quantity: decimalString(quantity),
    costBasis: decimalString(value),
  };
  return {
    cashDelta: new Dec(0),
    position: { ...position, lots: insertLot(position.lots, lot) },
    externalFlow: decimalString(value.times(fx)),
  };
}

function transferOut(book: BookState, entry: LedgerEntry): Change {
  const symbol = optionalSymbol(entry);
  if (symbol === undefined) return cashMovement(book, entry, -1, true);
  const quantity = positiveField(entry, 'quantity');
  const price = nonNegativeField(entry, 'price');
  const fx = fxRateToBase(entry, book.baseCurrency);
  const position = findPosition(book, symbol);
  requireSameCurrency(entry, position);
  const held = heldPosition(entry, symbol, position, quantity);
  const fifo = takeFifo(held.lots, quantity);
  return {
    cashDelta: new Dec(0),
    position: { ...held, lots: fifo.remaining },
    externalFlow: decimalString(quantity.times(price).times(fx).negated()),
    transferred: { quantity: decimalString(quantity), costBasis: decimalString(fifo.costBasis), lots: fifo.taken },
  };
}

function changeOf(book: BookState, entry: LedgerEntry): Change {
  switch (checkEntryHeader(entry)) {
    case 'BUY':
      return buy(book, entry);
    case 'SELL':
      return sell(book, entry);
    case 'DIVIDEND':
    case 'INTEREST':
      return income(book, entry);
    case 'FEE':
      return cashMovement(book, entry, -1, false);
    case 'DEPOSIT':
      return cashMovement(book, entry, 1, true);
    case 'WITHDRAWAL':
      return cashMovement(book, entry, -1, true);
    case 'SPLIT':
      return split(book, entry);
    case 'TRANSFER_IN':
      return transferIn(book, entry);
    case 'TRANSFER_OUT':
      return transferOut(book, entry);
  }
}

/**
 * The book after `entry`, and what the entry did. Pure: `book` is never mutated (positions and
 * lots that change are new objects; the rest are shared). Throws a LedgerRuleError, leaving
 * nothing half-applied, when a rule refuses the entry (see the module comment).
 */
export function applyEntry(
  book: BookState,
  entry: LedgerEntry,
  options: ApplyOptions = {},
): { book: BookState; effect: EntryEffect } {
  const change = changeOf(book, entry);
  const cashBefore = money(book.cash);
  const cashAfter = cashBefore.plus(change.cashDelta);
  if (change.cashDelta.lt(0) && cashAfter.lt(0) && !options.allowNegativeCash) {
    const needed = formatMoney(change.cashDelta.negated(), book.baseCurrency);
    throw new LedgerRuleError(
      'INSUFFICIENT_CASH',
      `entry ${entry.entryId}: needs ${needed} ${book.baseCurrency}, ${book.cash} available`,
      entry.entryId,
      { needed, available: book.cash },
    );
  }
  const positions = change.position ? { ...book.positions, [change.position.symbol]: change.position } : book.positions;
  const lastTradeDate =
    book.lastTradeDate === undefined || entry.tradeDate > book.lastTradeDate ? entry.tradeDate : book.lastTradeDate;
  const effect: EntryEffect = { entryId: entry.entryId, cashDelta: formatMoney(change.cashDelta, book.baseCurrency) };
  if (change.externalFlow !== undefined) effect.externalFlow = change.externalFlow;
  if (change.realised) effect.realised = change.realised;
  if (change.transferred) effect.transferred = change.transferred;
  return {
    book: { ...book, cash: formatMoney(cashAfter, book.baseCurrency), positions, lastTradeDate },
    effect,
  };
}

/**
 * Applies `entries` in ledger order (`compareEntries`; the input array is not reordered) to
 * `initial`. The first entry a rule refuses throws its LedgerRuleError.
 */
export function replayBook(
  initial: BookState,
  entries: readonly LedgerEntry[],
  options: ApplyOptions = {},
): { book: BookState; effects: EntryEffect[] } {
  const effects: EntryEffect[] = [];
  let book = initial;
  for (const entry of [...entries].sort(compareEntries)) {
    const applied = applyEntry(book, entry, options);
    book = applied.book;
    effects.push(applied.effect);
  }
  return { book, effects };
}
