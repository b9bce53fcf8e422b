import { describe, expect, it } from 'vitest';
import {
  applyEntry,
  compareEntries,
  emptyBook,
  holdingFigures,
  LedgerRuleError,
  positionQuantity,
  replayBook,
  type BookState,
  type LedgerEntry,
  type LedgerRuleCode,
} from '../src/ledger/index.js';

let sequence = 0;
/** An entry with a fresh, increasing id; `fields` override the defaults. */
function entry(type: LedgerEntry['type'], tradeDate: string, fields: Partial<LedgerEntry> = {}): LedgerEntry {
  sequence += 1;
  return { entryId: `e${String(sequence).padStart(4, '0')}`, type, tradeDate, currency: 'USD', ...fields };
}

/** The LedgerRuleError `run` throws (failing the test when it throws nothing or something else). */
function ruleError(run: () => unknown): LedgerRuleError {
  try {
    run();
  } catch (error) {
    if (error instanceof LedgerRuleError) return error;
    throw error;
  }
  throw new Error('expected a LedgerRuleError, nothing was thrown');
}

function expectRule(run: () => unknown, code: LedgerRuleCode, details?: Record<string, string>): LedgerRuleError {
  const error = ruleError(run);
  expect(error.code).toBe(code);
  if (details) expect(error.details).toMatchObject(details);
  return error;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('replayBook: a hand-computed multi-lot history (USD)', () => {
  const deposit = entry('DEPOSIT', '2025-01-02', { amount: '10000' });
  // 10 × 100 + 1 fee = 1001. Cash 10000 − 1001 = 8999.00.
  const buy1 = entry('BUY', '2025-01-03', { symbol: 'AAPL', quantity: '10', price: '100', fee: '1' });
  // 5 × 110 + 1.5 = 551.5. Cash 8999 − 551.50 = 8447.50.
  const buy2 = entry('BUY', '2025-01-06', { symbol: 'AAPL', quantity: '5', price: '110', fee: '1.5' });
  // 20 × 95.25 + 2 = 1905 + 2 = 1907. Cash 8447.50 − 1907 = 6540.50.
  const buy3 = entry('BUY', '2025-01-07', { symbol: 'AAPL', quantity: '20', price: '95.25', fee: '2' });
  // Proceeds 12 × 120 − 3 = 1437. FIFO: all of lot 1 (10, basis 1001), then 2 of lot 2's 5:
  // 551.5 × 2/5 = 220.6 consumed, 551.5 − 220.6 = 330.9 left on 3 shares. Basis sold
  // 1001 + 220.6 = 1221.6; gain 1437 − 1221.6 = 215.4. Cash 6540.50 + 1437 = 7977.50.
  const sell1 = entry('SELL', '2025-02-03', { symbol: 'AAPL', quantity: '12', price: '120', fee: '3' });
  // 2:1: lot 2 → 6 shares (basis 330.9), lot 3 → 40 shares (basis 1907).
  const split = entry('SPLIT', '2025-03-03', { symbol: 'AAPL', ratio: '2:1' });
  // Proceeds 10 × 65 − 0.99 = 649.01. FIFO: lot 2's 6 (330.9), then 4 of lot 3's 40:
  // 1907 × 4/40 = 190.7, leaving 1907 − 190.7 = 1716.3 on 36. Basis 330.9 + 190.7 = 521.6;
  // gain 649.01 − 521.6 = 127.41. Cash 7977.50 + 649.01 = 8626.51.
  const sell2 = entry('SELL', '2025-03-10', { symbol: 'AAPL', quantity: '10', price: '65', fee: '0.99' });
  // Income 12.34; cash 8626.51 + 12.34 = 8638.85.
  const dividend = entry('DIVIDEND', '2025-03-20', { symbol: 'AAPL', amount: '12.34' });
  const history = [deposit, buy1, buy2, buy3, sell1, split, sell2, dividend];

  it('books every lot, gain and cash exactly', () => {
    const { book, effects } = replayBook(emptyBook('USD'), history);
    expect(effects.map((effect) => effect.cashDelta)).toEqual([
      '10000.00',
      '-1001.00',
      '-551.50',
      '-1907.00',
      '1437.00',
      '0.00',
      '649.01',
      '12.34',
    ]);
    expect(effects[4].realised).toEqual({
      quantity: '12',
      proceeds: '1437',
      costBasis: '1221.6',
      gain: '215.4',
      lots: [
        { lotId: buy1.entryId, acquired: '2025-01-03', quantity: '10', costBasis: '1001' },
        { lotId: buy2.entryId, acquired: '2025-01-06', quantity: '2', costBasis: '220.6' },
      ],
    });
    expect(effects[6].realised).toEqual({
      quantity: '10',
      proceeds: '649.01',
      costBasis: '521.6',
      gain: '127.41',
      lots: [
        { lotId: buy2.entryId, acquired: '2025-01-06', quantity: '6', costBasis: '330.9' },
        { lotId: buy3.entryId, acquired: '2025-01-07', quantity: '4', costBasis: '190.7' },
      ],
    });
    expect(book).toEqual({
      baseCurrency: 'USD',
      cash: '8638.85',
      lastTradeDate: '2025-03-20',
      positions: {
        AAPL: {
          symbol: 'AAPL',
          currency: 'USD',
          lots: [{ lotId: buy3.entryId, acquired: '2025-01-07', quantity: '36', costBasis: '1716.3' }],
          // 215.4 + 127.41
          realisedGain: '342.81',
          income: '12.34',
        },
      },
    });
  });

  it('the intermediate book after the split holds two lots at their pre-split basis', () => {
    const { book } = replayBook(emptyBook('USD'), [deposit, buy1, buy2, buy3, sell1, split]);
    expect(book.positions.AAPL.lots).toEqual([
      { lotId: buy2.entryId, acquired: '2025-01-06', quantity: '6', costBasis: '330.9' },
      { lotId: buy3.entryId, acquired: '2025-01-07', quantity: '40', costBasis: '1907' },
    ]);
    expect(book.cash).toBe('7977.50');
  });

  it('holding figures: average cost, value and unrealised gain', () => {
    const { book } = replayBook(emptyBook('USD'), history);
    // 36 shares, basis 1716.3, average 1716.3/36 = 47.675; at 50: value 1800, gain 83.7,
    // 83.7/1716.3 × 100 = 4.876769795490298898793917147351862 (34 significant digits; Python
    // decimal at 60 digits gives 4.87676979549029889879391714735186156…).
    expect(holdingFigures(book.positions.AAPL, '50')).toEqual({
      quantity: '36',
      costBasis: '1716.3',
      averageCost: '47.675',
      marketValue: '1800',
      unrealisedGain: '83.7',
      unrealisedGainPct: '4.876769795490298898793917147351862',
    });
    expect(positionQuantity(book.positions.AAPL)).toBe('36');
  });

  it('the input order does not matter: replay sorts by (tradeDate, entryId)', () => {
    const forwards = replayBook(emptyBook('USD'), history);
    const backwards = replayBook(emptyBook('USD'), [...history].reverse());
    expect(backwards).toEqual(forwards);
  });

  it('a position sold out stays in the book with quantity 0 and its gain', () => {
    const { book } = replayBook(emptyBook('USD'), [
      entry('DEPOSIT', '2025-01-02', { amount: '1000' }),
      entry('BUY', '2025-01-02', { symbol: 'X', quantity: '3', price: '10' }),
      // proceeds 3 × 12 = 36, basis 30, gain 6
      entry('SELL', '2025-01-03', { symbol: 'X', quantity: '3', price: '12' }),
    ]);
    expect(book.positions.X).toEqual({ symbol: 'X', currency: 'USD', lots: [], realisedGain: '6', income: '0' });
    expect(positionQuantity(book.positions.X)).toBe('0');
    expect(holdingFigures(book.positions.X, '12')).toEqual({
      quantity: '0',
      costBasis: '0',
      averageCost: '0',
      marketValue: '0',
      unrealisedGain: '0',
    });
    expect(book.cash).toBe('1006.00');
  });
});

describe('applyEntry: lots', () => {
  const funded = () => emptyBook('USD', '100000');

  it('a division that does not terminate rounds the consumed basis; the remainder keeps the total exact', () => {
    // 3 shares for 100; selling 1 consumes 100/3, rounded on a grid of 34 significant digits
    // counted from the basis's leading digit (100 → 31 decimals): 33.33…3 (31 threes), and the
    // lot keeps 100 − that = 66.66…67, so 33.33…3 + 66.66…67 = 100 exactly.
    const bought = applyEntry(
      funded(),
      entry('BUY', '2025-01-02', { symbol: 'X', quantity: '3', price: '33', fee: '1' }),
    );
    const sold = applyEntry(bought.book, entry('SELL', '2025-01-03', { symbol: 'X', quantity: '1', price: '40' }));
    const consumed = `33.${'3'.repeat(31)}`;
    const remaining = `66.${'6'.repeat(30)}7`;
    expect(sold.effect.realised?.costBasis).toBe(consumed);
    expect(sold.effect.realised?.gain).toBe(`6.${'6'.repeat(30)}7`);
    expect(sold.book.positions.X.lots).toEqual([
      { lotId: expect.any(String), acquired: '2025-01-02', quantity: '2', costBasis: remaining },
    ]);
  });

  it('FIFO is by acquisition date, then lot id, whatever order the buys were applied in', () => {
    let book = funded();
    const late = entry('BUY', '2025-01-10', { symbol: 'X', quantity: '1', price: '30' });
    const early = entry('BUY', '2025-01-05', { symbol: 'X', quantity: '1', price: '10' });
    const sameDay = entry('BUY', '2025-01-05', { symbol: 'X', quantity: '1', price: '20' });
    for (const buy of [late, sameDay, early]) book = applyEntry(book, buy).book;
    expect(book.positions.X.lots.map((lot) => lot.lotId)).toEqual([early.entryId, sameDay.entryId, late.entryId]);
    const sold = applyEntry(book, entry('SELL', '2025-01-11', { symbol: 'X', quantity: '2', price: '25' }));
    // Basis 10 + 20 = 30; proceeds 50; gain 20.
    expect(sold.effect.realised?.lots.map((lot) => lot.lotId)).toEqual([early.entryId, sameDay.entryId]);
    expect(sold.effect.realised?.gain).toBe('20');
  });

  it('reverse split 1:10 divides every lot quantity by 10 and keeps the basis', () => {
    let book = funded();
    book = applyEntry(book, entry('BUY', '2025-01-02', { symbol: 'X', quantity: '25', price: '2', fee: '0.5' })).book;
    book = applyEntry(book, entry('BUY', '2025-01-03', { symbol: 'X', quantity: '7', price: '3' })).book;
    const split = applyEntry(book, entry('SPLIT', '2025-02-01', { symbol: 'X', ratio: '1:10' }));
    expect(split.book.positions.X.lots.map((lot) => [lot.quantity, lot.costBasis])).toEqual([
      ['2.5', '50.5'],
      ['0.7', '21'],
    ]);
    expect(split.effect).toEqual({ entryId: expect.any(String), cashDelta: '0.00' });
    expect(split.book.cash).toBe(book.cash);
  });

  it('split ratios with decimals and ones that do not terminate', () => {
    let book = funded();
    book = applyEntry(book, entry('BUY', '2025-01-02', { symbol: 'X', quantity: '100', price: '1' })).book;
    // 3:2 → 100 × 3 / 2 = 150 (multiplied before divided, so exact).
    expect(
      applyEntry(book, entry('SPLIT', '2025-02-01', { symbol: 'X', ratio: '3:2' })).book.positions.X.lots[0],
    ).toMatchObject({ quantity: '150', costBasis: '100' });
    // 1.5:1 → 150.
    expect(
      applyEntry(book, entry('SPLIT', '2025-02-01', { symbol: 'X', ratio: '1.5:1' })).book.positions.X.lots[0],
    ).toMatchObject({ quantity: '150' });
    // 2:3 → 200/3 = 66.666…67 at 34 significant digits.
    expect(
      applyEntry(book, entry('SPLIT', '2025-02-01', { symbol: 'X', ratio: '2:3' })).book.positions.X.lots[0],
    ).toMatchObject({ quantity: `66.${'6'.repeat(31)}7`, costBasis: '100' });
  });

  it('TRANSFER_IN opens a lot without cash; TRANSFER_OUT removes FIFO without a gain', () => {
    const start = emptyBook('USD', '50');
    const incoming = applyEntry(
      start,
      entry('TRANSFER_IN', '2025-01-02', { symbol: 'X', quantity: '4', price: '12.5' }),
    );
    // 4 × 12.5 = 50: the lot's basis and the (exact) external flow.
    expect(incoming.effect).toEqual({ entryId: expect.any(String), cashDelta: '0.00', externalFlow: '50' });
    expect(incoming.book.positions.X.lots).toEqual([
      { lotId: expect.any(String), acquired: '2025-01-02', quantity: '4', costBasis: '50' },
    ]);
    const outgoing = applyEntry(
      incoming.book,
      entry('TRANSFER_OUT', '2025-01-03', { symbol: 'X', quantity: '1', price: '13.333' }),
    );
    // 1 × 13.333 leaves; 50 × 1/4 = 12.5 of basis goes with it; nothing is realised.
    expect(outgoing.effect.externalFlow).toBe('-13.333');
    expect(outgoing.effect.realised).toBeUndefined();
    expect(outgoing.effect.transferred).toEqual({
      quantity: '1',
      costBasis: '12.5',
      lots: [{ lotId: expect.any(String), acquired: '2025-01-02', quantity: '1', costBasis: '12.5' }],
    });
    expect(outgoing.book.positions.X.realisedGain).toBe('0');
    expect(outgoing.book.positions.X.lots[0]).toMatchObject({ quantity: '3', costBasis: '37.5' });
    expect(outgoing.book.cash).toBe('50.00');
  });

  it('cash transfers without a symbol move cash like deposits and withdrawals', () => {
    const incoming = applyEntry(emptyBook('USD'), entry('TRANSFER_IN', '2025-01-02', { amount: '75.5' }));
    expect(incoming.effect).toEqual({ entryId: expect.any(String), cashDelta: '75.50', externalFlow: '75.50' });
    const outgoing = applyEntry(incoming.book, entry('TRANSFER_OUT', '2025-01-03', { amount: '70' }));
    expect(outgoing.effect).toEqual({ entryId: expect.any(String), cashDelta: '-70.00', externalFlow: '-70.00' });
    expect(outgoing.book.cash).toBe('5.50');
  });

  it('income and fees are not external flows', () => {
    let book = emptyBook('USD', '10');
    const interest = applyEntry(book, entry('INTEREST', '2025-01-02', { amount: '0.015' }));
    // 0.015 → 0.02 half-even (the tie goes to the even cent, 2).
    expect(interest.effect).toEqual({ entryId: expect.any(String), cashDelta: '0.02' });
    book = interest.book;
    const fee = applyEntry(book, entry('FEE', '2025-01-03', { amount: '0.025' }));
    // 0.025 → 0.02 half-even; cash 10.02 − 0.02 = 10.00.
    expect(fee.effect).toEqual({ entryId: expect.any(String), cashDelta: '-0.02' });
    expect(fee.book.cash).toBe('10.00');
    // A dividend for a symbol not held is cash only.
    const orphan = applyEntry(fee.book, entry('DIVIDEND', '2025-01-04', { symbol: 'NOPE', amount: '1' }));
    expect(orphan.book.positions).toEqual({});
    expect(orphan.book.cash).toBe('11.00');
  });
});

describe('applyEntry: FX conversion', () => {
  it('converts at the entry rate and rounds half-even in the base currency; lots stay in the security currency', () => {
    const book = emptyBook('EUR', '1000');
    // cost 3 × 33.333 + 0.5 = 100.499 USD; × 0.9 = 90.4491 EUR → 90.45.
    const bought = applyEntry(
      book,
      entry('BUY', '2025-01-02', { symbol: 'MSFT', quantity: '3', price: '33.333', fee: '0.5', fxRate: '0.9' }),
    );
    expect(bought.effect.cashDelta).toBe('-90.45');
    expect(bought.book.cash).toBe('909.55');
    expect(bought.book.positions.MSFT).toMatchObject({
      currency: 'USD',
      lots: [{ quantity: '3', costBasis: '100.499' }],
    });
    // A tie: 1 × 2.25 × 0.5 = 1.125 EUR → 1.12 (half-even), not 1.13.
    const tie = applyEntry(
      bought.book,
      entry('BUY', '2025-01-03', { symbol: 'MSFT', quantity: '1', price: '2.25', fxRate: '0.5' }),
    );
    expect(tie.effect.cashDelta).toBe('-1.12');
    // Sell 2 at 40 USD, fee 1: proceeds 79 USD × 0.95 = 75.05 EUR. Basis 100.499 × 2/3 =
    // 66.99933…3 (a 3-digit basis: 31 decimals), gain in USD 79 − that = 12.00066…67.
    const sold = applyEntry(
      tie.book,
      entry('SELL', '2025-01-04', { symbol: 'MSFT', quantity: '2', price: '40', fee: '1', fxRate: '0.95' }),
    );
    expect(sold.effect.cashDelta).toBe('75.05');
    expect(sold.effect.realised?.costBasis).toBe(`66.999${'3'.repeat(28)}`);
    expect(sold.effect.realised?.gain).toBe(`12.000${'6'.repeat(27)}7`);
  });

  it('a zero-decimal base currency rounds to whole units', () => {
    // 10 × 7.77 USD = 77.7 × 150.5 = 11693.85 JPY → 11694.
    const bought = applyEntry(
      emptyBook('JPY', '20000'),
      entry('BUY', '2025-01-02', { symbol: 'X', quantity: '10', price: '7.77', fxRate: '150.5' }),
    );
    expect(bought.effect.cashDelta).toBe('-11694');
    expect(bought.book.cash).toBe('8306');
  });

  it('deposits in another currency are external flows equal to their cash delta', () => {
    // 100 GBP × 1.16 = 116.00 EUR.
    const deposited = applyEntry(
      emptyBook('EUR'),
      entry('DEPOSIT', '2025-01-02', { amount: '100', currency: 'GBP', fxRate: '1.16' }),
    );
    expect(deposited.effect).toEqual({ entryId: expect.any(String), cashDelta: '116.00', externalFlow: '116.00' });
  });
});

describe('applyEntry: rules', () => {
  const holding = () =>
    applyEntry(emptyBook('USD', '1000'), entry('BUY', '2025-01-02', { symbol: 'X', quantity: '10', price: '10' })).book;

  it('INSUFFICIENT_CASH for a buy, fee or withdrawal beyond the cash, unless negative cash is allowed', () => {
    const book = emptyBook('USD', '100');
    const buy = entry('BUY', '2025-01-02', { symbol: 'X', quantity: '10', price: '10', fee: '0.01' });
    const error = expectRule(() => applyEntry(book, buy), 'INSUFFICIENT_CASH', {
      needed: '100.01',
      available: '100.00',
    });
    expect(error.entryId).toBe(buy.entryId);
    expectRule(() => applyEntry(book, entry('FEE', '2025-01-02', { amount: '100.01' })), 'INSUFFICIENT_CASH');
    expectRule(() => applyEntry(book, entry('WITHDRAWAL', '2025-01-02', { amount: '101' })), 'INSUFFICIENT_CASH');
    expectRule(() => applyEntry(book, entry('TRANSFER_OUT', '2025-01-02', { amount: '101' })), 'INSUFFICIENT_CASH');
    // Exactly all of it is fine.
    expect(applyEntry(book, entry('WITHDRAWAL', '2025-01-02', { amount: '100' })).book.cash).toBe('0.00');
    expect(applyEntry(book, buy, { allowNegativeCash: true }).book.cash).toBe('-0.01');
  });

  it('INSUFFICIENT_QUANTITY for selling or transferring out more than is held, or something not held', () => {
    const book = holding();
    expectRule(
      () => applyEntry(book, entry('SELL', '2025-01-03', { symbol: 'X', quantity: '10.0001', price: '1' })),
      'INSUFFICIENT_QUANTITY',
      { requested: '10.0001', held: '10' },
    );
    expectRule(
      () => applyEntry(book, entry('SELL', '2025-01-03', { symbol: 'Y', quantity: '1', price: '1' })),
      'INSUFFICIENT_QUANTITY',
      { requested: '1', held: '0' },
    );
    expectRule(
      () => applyEntry(book, entry('TRANSFER_OUT', '2025-01-03', { symbol: 'X', quantity: '11', price: '1' })),
      'INSUFFICIENT_QUANTITY',
      { requested: '11', held: '10' },
    );
  });

  it('FX_RATE_REQUIRED when the currency is not the base and no rate is given', () => {
    expectRule(
      () => applyEntry(emptyBook('USD'), entry('DEPOSIT', '2025-01-02', { amount: '1', currency: 'EUR' })),
      'FX_RATE_REQUIRED',
      { currency: 'EUR', baseCurrency: 'USD' },
    );
    expectRule(
      () =>
        applyEntry(holding(), entry('BUY', '2025-01-02', { symbol: 'Z', quantity: '1', price: '1', currency: 'GBP' })),
      'FX_RATE_REQUIRED',
    );
  });

  it('NO_POSITION for a split of something not held (or held at zero)', () => {
    expectRule(
      () => applyEntry(emptyBook('USD'), entry('SPLIT', '2025-01-02', { symbol: 'X', ratio: '2:1' })),
      'NO_POSITION',
      { symbol: 'X' },
    );
    const soldOut = applyEntry(
      holding(),
      entry('SELL', '2025-01-03', { symbol: 'X', quantity: '10', price: '1' }),
    ).book;
    expectRule(() => applyEntry(soldOut, entry('SPLIT', '2025-01-04', { symbol: 'X', ratio: '2:1' })), 'NO_POSITION');
  });

  it('CURRENCY_MISMATCH for any later entry of a symbol in another currency', () => {
    const book = holding();
    const eur = { currency: 'EUR', fxRate: '1.1' };
    const details = { symbol: 'X', positionCurrency: 'USD', entryCurrency: 'EUR' };
    for (const later of [
      entry('BUY', '2025-01-03', { symbol: 'X', quantity: '1', price: '1', ...eur }),
      entry('SELL', '2025-01-03', { symbol: 'X', quantity: '1', price: '1', ...eur }),
      entry('DIVIDEND', '2025-01-03', { symbol: 'X', amount: '1', ...eur }),
      entry('SPLIT', '2025-01-03', { symbol: 'X', ratio: '2:1', currency: 'EUR' }),
      entry('TRANSFER_IN', '2025-01-03', { symbol: 'X', quantity: '1', price: '1', ...eur }),
    ]) {
      expectRule(() => applyEntry(book, later), 'CURRENCY_MISMATCH', details);
    }
  });

  it('INVALID_ENTRY names the field', () => {
    const book = holding();
    const cases: Array<[Partial<LedgerEntry> & Pick<LedgerEntry, 'type'>, string]> = [
      [{ type: 'BUY', quantity: '1', price: '1' }, 'symbol'],
      [{ type: 'BUY', symbol: 'X', price: '1' }, 'quantity'],
      [{ type: 'BUY', symbol: 'X', quantity: '0', price: '1' }, 'quantity'],
      [{ type: 'BUY', symbol: 'X', quantity: '-1', price: '1' }, 'quantity'],
      [{ type: 'BUY', symbol: 'X', quantity: '1e3', price: '1' }, 'quantity'],
      [{ type: 'BUY', symbol: 'X', quantity: '1' }, 'price'],
      [{ type: 'BUY', symbol: 'X', quantity: '1', price: '-0.01' }, 'price'],
      [{ type: 'BUY', symbol: 'X', quantity: '1', price: '1', fee: '-1' }, 'fee'],
      [{ type: 'SELL', symbol: 'X', quantity: '1', price: 'abc' }, 'price'],
      [{ type: 'DEPOSIT' }, 'amount'],
      [{ type: 'WITHDRAWAL', amount: '0' }, 'amount'],
      [{ type: 'DIVIDEND', amount: '1', symbol: '' }, 'symbol'],
      [{ type: 'SPLIT', symbol: 'X' }, 'ratio'],
      [{ type: 'SPLIT', symbol: 'X', ratio: '2' }, 'ratio'],
      [{ type: 'SPLIT', symbol: 'X', ratio: '0:1' }, 'ratio'],
      [{ type: 'SPLIT', symbol: 'X', ratio: '2:x' }, 'ratio'],
      [{ type: 'TRANSFER_IN', symbol: 'X', quantity: '1' }, 'price'],
      [{ type: 'TRANSFER_OUT' }, 'amount'],
      [{ type: 'DEPOSIT', amount: '1', fxRate: '1.1' }, 'fxRate'],
      [{ type: 'DEPOSIT', amount: '1', currency: 'EUR', fxRate: '0' }, 'fxRate'],
      [{ type: 'DEPOSIT', amount: '1', currency: 'usd' }, 'currency'],
      [{ type: 'DEPOSIT', amount: '1', tradeDate: '2025-02-30' }, 'tradeDate'],
      [{ type: 'DEPOSIT', amount: '1', entryId: '' }, 'entryId'],
      [{ type: 'BOGUS' as LedgerEntry['type'], amount: '1' }, 'type'],
    ];
    for (const [fields, field] of cases) {
      const error = expectRule(() => applyEntry(book, entry(fields.type, '2025-01-03', fields)), 'INVALID_ENTRY', {
        field,
      });
      expect(error.message).toContain(field);
    }
  });

  it('INVALID_ENTRY when an entry id would open a second lot with the same id', () => {
    const buy = entry('BUY', '2025-01-02', { symbol: 'X', quantity: '1', price: '1' });
    const once = applyEntry(emptyBook('USD', '10'), buy).book;
    expectRule(() => applyEntry(once, buy), 'INVALID_ENTRY', { field: 'entryId' });
  });

  it('replayBook throws the first refused entry in ledger order', () => {
    const first = entry('WITHDRAWAL', '2025-01-05', { amount: '5' });
    const second = entry('SELL', '2025-01-06', { symbol: 'Q', quantity: '1', price: '1' });
    const error = ruleError(() => replayBook(emptyBook('USD'), [second, first]));
    expect([error.code, error.entryId]).toEqual(['INSUFFICIENT_CASH', first.entryId]);
  });

  it('symbols are own keys: "constructor" and "__proto__" are ordinary symbols', () => {
    let book = emptyBook('USD', '100');
    for (const symbol of ['constructor', '__proto__', 'toString']) {
      expectRule(
        () => applyEntry(book, entry('SELL', '2025-01-02', { symbol, quantity: '1', price: '1' })),
        'INSUFFICIENT_QUANTITY',
      );
      book = applyEntry(book, entry('BUY', '2025-01-02', { symbol, quantity: '1', price: '1' })).book;
      expect(Object.hasOwn(book.positions, symbol)).toBe(true);
      expect(positionQuantity(book.positions[symbol])).toBe('1');
    }
    expect(Object.getPrototypeOf(book.positions)).toBe(Object.prototype);
  });
});

describe('applyEntry: purity', () => {
  it('never mutates the book or the entry (both deep-frozen here), and shares unchanged parts', () => {
    const before = replayBook(emptyBook('USD', '5000'), [
      entry('BUY', '2025-01-02', { symbol: 'A', quantity: '10', price: '10' }),
      entry('BUY', '2025-01-03', { symbol: 'A', quantity: '10', price: '20' }),
      entry('BUY', '2025-01-03', { symbol: 'B', quantity: '1', price: '5' }),
    ]).book;
    const snapshot: BookState = structuredClone(before);
    deepFreeze(before);
    const later = [
      entry('SELL', '2025-01-04', { symbol: 'A', quantity: '15', price: '30' }),
      entry('SPLIT', '2025-01-05', { symbol: 'A', ratio: '3:1' }),
      entry('DIVIDEND', '2025-01-05', { symbol: 'A', amount: '1' }),
      entry('TRANSFER_OUT', '2025-01-05', { symbol: 'A', quantity: '1', price: '1' }),
      entry('TRANSFER_IN', '2025-01-05', { symbol: 'A', quantity: '1', price: '1' }),
      entry('WITHDRAWAL', '2025-01-05', { amount: '1' }),
    ].map(deepFreeze);
    for (const next of later) {
      const after = applyEntry(before, next);
      expect(after.book).not.toBe(before);
      expect(after.book.positions.B).toBe(before.positions.B);
    }
    expect(before).toEqual(snapshot);
  });

  it('a refused entry leaves the book as it was', () => {
    const book = deepFreeze(emptyBook('USD', '1'));
    expect(() => applyEntry(book, entry('BUY', '2025-01-02', { symbol: 'X', quantity: '1', price: '2' }))).toThrow(
      LedgerRuleError,
    );
    expect(book).toEqual({ baseCurrency: 'USD', cash: '1.00', positions: {} });
  });
});

describe('helpers', () => {
  it('emptyBook formats its cash and refuses an unknown base currency', () => {
    expect(emptyBook('USD')).toEqual({ baseCurrency: 'USD', cash: '0.00', positions: {} });
    expect(emptyBook('JPY', '1000').cash).toBe('1000');
    expect(() => emptyBook('XXX')).toThrow(RangeError);
  });

  it('compareEntries orders by tradeDate, then entryId', () => {
    const a = { ...entry('DEPOSIT', '2025-01-02'), entryId: 'b' };
    const b = { ...entry('DEPOSIT', '2025-01-02'), entryId: 'a' };
    const c = { ...entry('DEPOSIT', '2025-01-01'), entryId: 'z' };
    expect([a, b, c].sort(compareEntries).map((e) => e.entryId)).toEqual(['z', 'a', 'b']);
    expect(compareEntries(a, a)).toBe(0);
  });

  it('lastTradeDate is the latest date applied, even when an older entry comes later', () => {
    let book = emptyBook('USD');
    book = applyEntry(book, entry('DEPOSIT', '2025-03-01', { amount: '1' })).book;
    book = applyEntry(book, entry('DEPOSIT', '2025-02-01', { amount: '1' })).book;
    expect(book.lastTradeDate).toBe('2025-03-01');
  });
});
