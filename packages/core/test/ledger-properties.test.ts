import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { Decimal } from 'decimal.js';
import {
  applyEntry,
  emptyBook,
  LedgerRuleError,
  positionQuantity,
  replayBook,
  type BookState,
  type EntryEffect,
  type LedgerEntry,
} from '../src/ledger/index.js';
import { addDays } from '../src/performance/dates.js';

// The test's own arithmetic: 200 digits, so its sums of the engine's (up to 34-digit) figures
// never round, and an equality below is exact, not "close".
const Exact = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
const exact = (s: string) => new Exact(s);
const sum = (values: readonly string[]) => values.reduce((acc, v) => acc.plus(v), new Exact(0));

/** Each symbol trades in one currency; a foreign one needs an fxRate (USD per unit). */
const SYMBOLS = [
  { symbol: 'AAA', currency: 'USD' },
  { symbol: 'BBB', currency: 'EUR' },
  { symbol: 'CCC', currency: 'JPY' },
] as const;
/** Ratios whose division terminates, so the test's expected quantities are exact. */
const SPLIT_RATIOS = ['2:1', '3:1', '1:2', '1:10', '5:4', '3:2', '1:4'] as const;
const KINDS = [
  'deposit',
  'withdraw',
  'buy',
  'buy',
  'buy',
  'sell',
  'sell',
  'split',
  'dividend',
  'interest',
  'fee',
  'transferIn',
  'transferOut',
  'cashIn',
  'cashOut',
] as const;

const opArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
  /** thousandths of a unit */
  milliUnits: fc.integer({ min: 1, max: 500_000 }),
  /** ten-thousandths of a currency unit */
  priceTicks: fc.integer({ min: 0, max: 5_000_000 }),
  feeCents: fc.integer({ min: 0, max: 2_000 }),
  /** eighths of the holding a sell or transfer out takes */
  eighths: fc.integer({ min: 1, max: 8 }),
  ratio: fc.constantFrom(...SPLIT_RATIOS),
  /** thousandths */
  fxMilli: fc.integer({ min: 1, max: 2_000 }),
  dayStep: fc.constantFrom(0, 0, 1, 2),
});
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const fromTicks = (value: number, decimals: number) => new Exact(value).div(10 ** decimals).toFixed();

interface Ledger {
  entries: LedgerEntry[];
  /** symbol → Σ BUY cost + Σ TRANSFER_IN value: all the basis that ever entered. */
  basisIn: Map<string, Decimal>;
  /** symbol → the quantity the test expects to be held at the end. */
  quantity: Map<string, Decimal>;
}

/**
 * Turns random intents into a ledger the book accepts (sells and transfers out take a fraction
 * of what the test itself counts as held), in ascending (tradeDate, entryId) order, and keeps the
 * test's own account of basis and quantity.
 */
function buildLedger(ops: readonly Op[]): Ledger {
  const entries: LedgerEntry[] = [];
  const basisIn = new Map<string, Decimal>();
  const quantity = new Map<string, Decimal>();
  let date = '2025-01-02';
  for (const op of ops) {
    date = addDays(date, op.dayStep);
    const { symbol, currency } = SYMBOLS[op.symbol];
    const held = quantity.get(symbol) ?? new Exact(0);
    const fx = currency === 'USD' ? {} : { fxRate: fromTicks(op.fxMilli, currency === 'JPY' ? 5 : 3) };
    const base = { entryId: `e${String(entries.length).padStart(5, '0')}`, tradeDate: date };
    const units = fromTicks(op.milliUnits, 3);
    const price = fromTicks(op.priceTicks, 4);
    const fee = fromTicks(op.feeCents, 2);
    const amount = fromTicks(op.milliUnits, 2);
    const take = held.times(op.eighths).div(8).toDecimalPlaces(6, Decimal.ROUND_DOWN);
    const addBasis = (value: Decimal) => basisIn.set(symbol, (basisIn.get(symbol) ?? new Exact(0)).plus(value));
    switch (op.kind) {
      case 'deposit':
      case 'withdraw':
        entries.push({ ...base, type: op.kind === 'deposit' ? 'DEPOSIT' : 'WITHDRAWAL', amount, currency: 'USD' });
        break;
      case 'cashIn':
      case 'cashOut':
        entries.push({ ...base, type: op.kind === 'cashIn' ? 'TRANSFER_IN' : 'TRANSFER_OUT', amount, currency, ...fx });
        break;
      case 'interest':
      case 'fee':
        entries.push({ ...base, type: op.kind === 'fee' ? 'FEE' : 'INTEREST', amount, currency, ...fx });
        break;
      case 'dividend':
        entries.push({ ...base, type: 'DIVIDEND', symbol, amount, currency, ...fx });
        break;
      case 'buy':
        entries.push({ ...base, type: 'BUY', symbol, quantity: units, price, fee, currency, ...fx });
        addBasis(exact(units).times(price).plus(fee));
        quantity.set(symbol, held.plus(units));
        break;
      case 'transferIn':
        entries.push({ ...base, type: 'TRANSFER_IN', symbol, quantity: units, price, currency, ...fx });
        addBasis(exact(units).times(price));
        quantity.set(symbol, held.plus(units));
        break;
      case 'sell':
      case 'transferOut':
        if (take.isZero()) break;
        entries.push({
          ...base,
          type: op.kind === 'sell' ? 'SELL' : 'TRANSFER_OUT',
          symbol,
          quantity: take.toFixed(),
          price,
          ...(op.kind === 'sell' ? { fee } : {}),
          currency,
          ...fx,
        });
        quantity.set(symbol, held.minus(take));
        break;
      case 'split': {
        if (held.isZero()) break;
        const [newShares, oldShares] = op.ratio.split(':');
        entries.push({ ...base, type: 'SPLIT', symbol, ratio: op.ratio, currency });
        quantity.set(symbol, held.times(newShares).div(oldShares));
        break;
      }
    }
  }
  return { entries, basisIn, quantity };
}

// 'max' spreads lengths up to 60 (fast-check's default size keeps arrays near 10 entries, too
// few for sells to meet partly consumed lots often).
const ledgerArb = fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }).map(buildLedger);
const initialCashArb = fc.integer({ min: 0, max: 10_000_000 }).map((cents) => fromTicks(cents, 2));
const margin = { allowNegativeCash: true };

/** Every lot basis that left the book: sells and transfers out. */
const basisOut = (effects: readonly EntryEffect[], symbol: string, ledger: Ledger) =>
  effects.flatMap((effect, i) =>
    ledger.entries[i].symbol === symbol ? [...(effect.realised?.lots ?? []), ...(effect.transferred?.lots ?? [])] : [],
  );

describe('ledger properties', () => {
  it('cash conservation: final cash = initial + Σ cashDelta, each delta on the minor-unit grid', () => {
    fc.assert(
      fc.property(ledgerArb, initialCashArb, (ledger, initialCash) => {
        const { book, effects } = replayBook(emptyBook('USD', initialCash), ledger.entries, margin);
        const deltas = effects.map((effect) => effect.cashDelta);
        expect(deltas.every((delta) => /^-?\d+\.\d{2}$/.test(delta))).toBe(true);
        expect(exact(book.cash).eq(exact(initialCash).plus(sum(deltas)))).toBe(true);
      }),
    );
  });

  it('basis conservation: Σ open lot basis + Σ basis that left = Σ basis that came in, exactly', () => {
    fc.assert(
      fc.property(ledgerArb, (ledger) => {
        const { book, effects } = replayBook(emptyBook('USD'), ledger.entries, margin);
        for (const { symbol } of SYMBOLS) {
          const open = sum(book.positions[symbol]?.lots.map((lot) => lot.costBasis) ?? []);
          const left = sum(basisOut(effects, symbol, ledger).map((lot) => lot.costBasis));
          expect(open.plus(left).toFixed()).toBe((ledger.basisIn.get(symbol) ?? new Exact(0)).toFixed());
        }
      }),
    );
  });

  it('quantity conservation: the book holds Σ in − Σ out (split-adjusted), in non-empty FIFO lots', () => {
    fc.assert(
      fc.property(ledgerArb, (ledger) => {
        const { book, effects } = replayBook(emptyBook('USD'), ledger.entries, margin);
        for (const { symbol } of SYMBOLS) {
          const position = book.positions[symbol];
          const expected = ledger.quantity.get(symbol) ?? new Exact(0);
          expect(exact(position ? positionQuantity(position) : '0').toFixed()).toBe(expected.toFixed());
          // No lot is ever empty, and lots stay in FIFO order.
          for (const lot of position?.lots ?? []) expect(exact(lot.quantity).gt(0)).toBe(true);
          const order = (position?.lots ?? []).map((lot) => `${lot.acquired}|${lot.lotId}`);
          expect(order).toEqual([...order].sort());
        }
        // What a sell reports it took is what it asked for.
        effects.forEach((effect, i) => {
          const taken = effect.realised ?? effect.transferred;
          if (taken)
            expect(sum(taken.lots.map((lot) => lot.quantity)).toFixed()).toBe(
              exact(ledger.entries[i].quantity ?? '0').toFixed(),
            );
        });
      }),
    );
  });

  it('split invariance: lot quantities scale by new/old; every basis, and all else, stays', () => {
    fc.assert(
      fc.property(ledgerArb, fc.constantFrom(...SPLIT_RATIOS), fc.constantFrom(...SYMBOLS), (ledger, ratio, held) => {
        const { book } = replayBook(emptyBook('USD'), ledger.entries, margin);
        const position = book.positions[held.symbol];
        fc.pre(position !== undefined && position.lots.length > 0);
        const split: LedgerEntry = {
          entryId: 'z-split',
          type: 'SPLIT',
          tradeDate: '2030-01-01',
          symbol: held.symbol,
          ratio,
          currency: held.currency,
        };
        const after = applyEntry(book, split).book;
        const [newShares, oldShares] = ratio.split(':');
        const lotsAfter = after.positions[held.symbol].lots;
        expect(lotsAfter.map((lot) => [lot.lotId, lot.acquired, lot.costBasis])).toEqual(
          position.lots.map((lot) => [lot.lotId, lot.acquired, lot.costBasis]),
        );
        lotsAfter.forEach((lot, i) => {
          expect(exact(lot.quantity).toFixed()).toBe(
            exact(position.lots[i].quantity).times(newShares).div(oldShares).toFixed(),
          );
        });
        expect({
          ...after,
          positions: { ...after.positions, [held.symbol]: position },
          lastTradeDate: book.lastTradeDate,
        }).toEqual(book);
      }),
    );
  });

  it('order independence: any permutation of the entries replays to the same book and effects', () => {
    fc.assert(
      fc.property(
        ledgerArb.chain((ledger) =>
          fc.tuple(
            fc.constant(ledger),
            fc.shuffledSubarray(ledger.entries, { minLength: ledger.entries.length, maxLength: ledger.entries.length }),
          ),
        ),
        ([ledger, shuffled]) => {
          const inOrder = replayBook(emptyBook('USD'), ledger.entries, margin);
          expect(replayBook(emptyBook('USD'), shuffled, margin)).toEqual(inOrder);
        },
      ),
    );
  });

  it('applyEntry, one entry at a time, gives exactly what replayBook gives', () => {
    fc.assert(
      fc.property(ledgerArb, initialCashArb, (ledger, initialCash) => {
        const initial = emptyBook('USD', initialCash);
        let book: BookState = initial;
        const effects: EntryEffect[] = [];
        for (const entry of ledger.entries) {
          const applied = applyEntry(book, entry, margin);
          book = applied.book;
          effects.push(applied.effect);
        }
        expect(replayBook(initial, ledger.entries, margin)).toEqual({ book, effects });
      }),
    );
  });

  it('without allowNegativeCash cash never goes below zero: the refused entry is the one that would', () => {
    fc.assert(
      fc.property(ledgerArb, initialCashArb, (ledger, initialCash) => {
        let book = emptyBook('USD', initialCash);
        for (const entry of ledger.entries) {
          const unchecked = applyEntry(book, entry, margin);
          try {
            book = applyEntry(book, entry).book;
          } catch (error) {
            expect(error).toBeInstanceOf(LedgerRuleError);
            expect((error as LedgerRuleError).code).toBe('INSUFFICIENT_CASH');
            expect(exact(unchecked.book.cash).lt(0)).toBe(true);
            return;
          }
          expect(book).toEqual(unchecked.book);
          expect(exact(book.cash).gte(0)).toBe(true);
        }
      }),
    );
  });
});
