import { describe, expect, it } from 'vitest';
import { LedgerRuleError, type LedgerEntry } from '../src/ledger/index.js';
import {
  periodPerformance,
  periodTwr,
  seriesXirrFlows,
  timeWeightedReturn,
  valuationSeries,
  xirrFlows,
  type ValuationInput,
} from '../src/performance/index.js';

let sequence = 0;
function entry(type: LedgerEntry['type'], tradeDate: string, fields: Partial<LedgerEntry> = {}): LedgerEntry {
  sequence += 1;
  return { entryId: `v${String(sequence).padStart(4, '0')}`, type, tradeDate, currency: 'USD', ...fields };
}

/** unitValue from a table of quotes on exact days only, so any carrying forward is the series' own. */
function quotes(table: Record<string, Record<string, string>>): ValuationInput['unitValue'] {
  return (symbol, date) => table[symbol]?.[date];
}

const rows = (input: ValuationInput) =>
  valuationSeries(input).values.map((row) => [row.date, row.value, row.cash, row.flow]);

describe('valuationSeries', () => {
  it('one row per calendar day; value = cash + Σ quantity × unit value at the end of the day', () => {
    const input: ValuationInput = {
      baseCurrency: 'USD',
      entries: [
        entry('DEPOSIT', '2025-01-02', { amount: '1000' }),
        entry('BUY', '2025-01-02', { symbol: 'X', quantity: '10', price: '50', fee: '1' }),
      ],
      from: '2025-01-01',
      to: '2025-01-04',
      unitValue: quotes({ X: { '2025-01-02': '50', '2025-01-03': '51.25', '2025-01-04': '49.5' } }),
    };
    // Cash 1000 − 501 = 499. Values: 499 + 10 × 50 = 999; 499 + 512.5 = 1011.5; 499 + 495 = 994.
    expect(rows(input)).toEqual([
      ['2025-01-01', '0', '0.00', '0'],
      ['2025-01-02', '999', '499.00', '1000'],
      ['2025-01-03', '1011.5', '499.00', '0'],
      ['2025-01-04', '994', '499.00', '0'],
    ]);
    const series = valuationSeries(input);
    expect(series.days).toEqual([
      { date: '2025-01-01', value: 0, flow: 0 },
      { date: '2025-01-02', value: 999, flow: 1000 },
      { date: '2025-01-03', value: 1011.5, flow: 0 },
      { date: '2025-01-04', value: 994, flow: 0 },
    ]);
    expect(series.unpricedDays).toEqual([]);
  });

  it('flows are counted at the start of their day: the day is measured on the value after the flow', () => {
    const series = valuationSeries({
      baseCurrency: 'USD',
      entries: [
        entry('DEPOSIT', '2025-01-01', { amount: '1000' }),
        entry('BUY', '2025-01-01', { symbol: 'X', quantity: '10', price: '100' }),
        // A deposit on 01-02, the day X goes 100 → 110: 1000 more at the start of the day.
        entry('DEPOSIT', '2025-01-02', { amount: '1000' }),
      ],
      from: '2024-12-31',
      to: '2025-01-02',
      unitValue: quotes({ X: { '2025-01-01': '100', '2025-01-02': '110' } }),
    });
    // 01-01: funding day, 1000 in, worth 1000 at the close: r = 0.
    // 01-02: start capital 1000 + 1000 = 2000, close 1000 + 1100 = 2100: r = 2100/2000 − 1 = 5%.
    // (Were the deposit counted at the end of the day, r would be (2100 − 1000)/1000 − 1 = 10%.)
    expect(series.values.at(-1)).toEqual({ date: '2025-01-02', value: '2100', cash: '1000.00', flow: '1000' });
    const twr = timeWeightedReturn(series.days);
    expect(twr.series.map((point) => point.cumulativeReturn)).toEqual([0, 0, expect.closeTo(0.05, 14)]);
  });

  it('carries a missing unit value forward from the last day it had one', () => {
    const input: ValuationInput = {
      baseCurrency: 'USD',
      entries: [entry('TRANSFER_IN', '2025-01-01', { symbol: 'X', quantity: '2', price: '10' })],
      from: '2025-01-01',
      to: '2025-01-05',
      unitValue: quotes({ X: { '2025-01-01': '10', '2025-01-04': '13' } }),
    };
    // 2 × 10 carried over 01-02 and 01-03, then 2 × 13 from 01-04 on.
    expect(valuationSeries(input).values.map((row) => row.value)).toEqual(['20', '20', '20', '26', '26']);
    expect(valuationSeries(input).unpricedDays).toEqual([]);
  });

  it('a symbol never priced is left out and listed, day by day, until a unit value appears', () => {
    const series = valuationSeries({
      baseCurrency: 'USD',
      entries: [
        entry('DEPOSIT', '2025-01-01', { amount: '100' }),
        entry('BUY', '2025-01-01', { symbol: 'A', quantity: '1', price: '10' }),
        entry('BUY', '2025-01-01', { symbol: 'B', quantity: '1', price: '20' }),
        entry('BUY', '2025-01-02', { symbol: 'C', quantity: '1', price: '30' }),
      ],
      from: '2025-01-01',
      to: '2025-01-04',
      unitValue: quotes({ A: { '2025-01-01': '11' }, C: { '2025-01-03': '33' } }),
    });
    // Cash 100 − 10 − 20 = 70, then − 30 = 40. A is worth 11 throughout (carried); B never; C from 01-03.
    expect(series.values.map((row) => row.value)).toEqual(['81', '51', '84', '84']);
    expect(series.unpricedDays).toEqual([
      { date: '2025-01-01', symbols: ['B'] },
      { date: '2025-01-02', symbols: ['B', 'C'] },
      { date: '2025-01-03', symbols: ['B'] },
      { date: '2025-01-04', symbols: ['B'] },
    ]);
  });

  it('asks for unit values of held symbols only, and not once they are sold out', () => {
    const asked: string[] = [];
    valuationSeries({
      baseCurrency: 'USD',
      entries: [
        entry('DEPOSIT', '2025-01-01', { amount: '100' }),
        entry('BUY', '2025-01-01', { symbol: 'X', quantity: '1', price: '10' }),
        entry('SELL', '2025-01-02', { symbol: 'X', quantity: '1', price: '10' }),
      ],
      from: '2025-01-01',
      to: '2025-01-03',
      unitValue: (symbol, date) => {
        asked.push(`${symbol}@${date}`);
        return '10';
      },
    });
    expect(asked).toEqual(['X@2025-01-01']);
  });

  it('entries before `from` make the opening book (their flows are in no row); entries after `to` do nothing', () => {
    const input: ValuationInput = {
      baseCurrency: 'USD',
      entries: [
        entry('DEPOSIT', '2025-01-01', { amount: '500' }),
        entry('DEPOSIT', '2025-01-03', { amount: '7' }),
        entry('WITHDRAWAL', '2025-02-01', { amount: '400' }),
      ],
      from: '2025-01-02',
      to: '2025-01-03',
      unitValue: () => undefined,
    };
    expect(rows(input)).toEqual([
      ['2025-01-02', '500', '500.00', '0'],
      ['2025-01-03', '507', '507.00', '7'],
    ]);
  });

  it('dividends, interest and fees are return, not flow; security transfers flow at their value', () => {
    const series = valuationSeries({
      baseCurrency: 'EUR',
      entries: [
        entry('DEPOSIT', '2025-01-01', { amount: '100', currency: 'EUR' }),
        entry('DIVIDEND', '2025-01-01', { amount: '5', currency: 'EUR' }),
        entry('INTEREST', '2025-01-01', { amount: '1', currency: 'EUR' }),
        entry('FEE', '2025-01-01', { amount: '2', currency: 'EUR' }),
        // 3 × 10.1 USD × 0.91 = 27.573 EUR: an exact flow, no cash.
        entry('TRANSFER_IN', '2025-01-01', { symbol: 'X', quantity: '3', price: '10.1', fxRate: '0.91' }),
        entry('TRANSFER_OUT', '2025-01-02', { symbol: 'X', quantity: '1', price: '11', fxRate: '0.9' }),
        entry('WITHDRAWAL', '2025-01-02', { amount: '50', currency: 'EUR' }),
      ],
      from: '2025-01-01',
      to: '2025-01-02',
      unitValue: quotes({ X: { '2025-01-01': '9.191', '2025-01-02': '9.9' } }),
    });
    // 01-01: flow 100 + 27.573 = 127.573; cash 100 + 5 + 1 − 2 = 104; value 104 + 3 × 9.191 = 131.573.
    // 01-02: flow −(1 × 11 × 0.9) − 50 = −59.9; cash 54; value 54 + 2 × 9.9 = 73.8.
    expect(series.values).toEqual([
      { date: '2025-01-01', value: '131.573', cash: '104.00', flow: '127.573' },
      { date: '2025-01-02', value: '73.8', cash: '54.00', flow: '-59.9' },
    ]);
  });

  it('refuses to > from, a negative unit value, a malformed entry date and a rule the replay breaks', () => {
    const base: ValuationInput = {
      baseCurrency: 'USD',
      entries: [],
      from: '2025-01-02',
      to: '2025-01-02',
      unitValue: () => '1',
    };
    expect(valuationSeries(base).values).toEqual([{ date: '2025-01-02', value: '0', cash: '0.00', flow: '0' }]);
    expect(() => valuationSeries({ ...base, to: '2025-01-01' })).toThrow(RangeError);
    expect(() => valuationSeries({ ...base, from: '2025-13-01' })).toThrow(RangeError);
    const held = [entry('TRANSFER_IN', '2025-01-01', { symbol: 'X', quantity: '1', price: '1' })];
    expect(() => valuationSeries({ ...base, entries: held, unitValue: () => '-1' })).toThrow(RangeError);
    const undated = { ...entry('DEPOSIT', '2025-01-01', { amount: '1' }), tradeDate: '1/1/2025' };
    expect(() => valuationSeries({ ...base, entries: [undated] })).toThrow(LedgerRuleError);
    const overdrawn = [entry('WITHDRAWAL', '2025-01-01', { amount: '1' })];
    expect(() => valuationSeries({ ...base, entries: overdrawn })).toThrow(LedgerRuleError);
    expect(valuationSeries({ ...base, entries: overdrawn, allowNegativeCash: true }).values[0].cash).toBe('-1.00');
  });
});

describe('xirrFlows', () => {
  it("the first row's value is paid in, later flows take the investor's sign, the last value comes out", () => {
    const input: ValuationInput = {
      baseCurrency: 'USD',
      entries: [
        entry('DEPOSIT', '2025-01-01', { amount: '1000' }),
        entry('DEPOSIT', '2025-01-02', { amount: '250' }),
        entry('WITHDRAWAL', '2025-01-04', { amount: '100' }),
      ],
      from: '2025-01-01',
      to: '2025-01-05',
      unitValue: () => undefined,
    };
    // The first row is the base: its deposit is inside its value (1000) and not repeated.
    expect(xirrFlows(input)).toEqual([
      { date: '2025-01-01', amount: -1000 },
      { date: '2025-01-02', amount: -250 },
      { date: '2025-01-04', amount: 100 },
      { date: '2025-01-05', amount: 1150 },
    ]);
    expect(seriesXirrFlows({ values: [] })).toEqual([]);
  });
});

describe('periodPerformance', () => {
  const entries = [
    entry('DEPOSIT', '2025-06-10', { amount: '1000' }),
    entry('BUY', '2025-06-10', { symbol: 'X', quantity: '10', price: '50' }),
    entry('DEPOSIT', '2025-07-15', { amount: '500' }),
  ];
  // X: 50 until 06-30, 60 from 07-01, 54 from 07-20 (unitValue is "latest close on or before").
  const unitValue = (_symbol: string, date: string) =>
    date >= '2025-07-20' ? '54' : date >= '2025-07-01' ? '60' : '50';

  it('measures MTD from the close of the last day of the previous month', () => {
    const result = periodPerformance({ baseCurrency: 'USD', entries, unitValue, period: 'MTD', asOf: '2025-07-31' });
    // Base 06-30: 500 cash + 10 × 50 = 1000. 07-01: 1100 → ×1.1. 07-15: +500 at the start,
    // 1600/1600. 07-20: 1000 + 540 = 1540 → ×1540/1600. TWR = 1.1 × 0.9625 − 1 = 0.05875.
    expect(result.baseDate).toBe('2025-06-30');
    expect(result.twr.twr).toBeCloseTo(0.05875, 12);
    expect(result.series.values[0]).toMatchObject({ date: '2025-06-30', value: '1000' });
    expect(result.series.values.at(-1)).toMatchObject({ date: '2025-07-31', value: '1540' });
    expect(result.xirr.ok).toBe(true);
    expect(seriesXirrFlows(result.series)).toEqual([
      { date: '2025-06-30', amount: -1000 },
      { date: '2025-07-15', amount: -500 },
      { date: '2025-07-31', amount: 1540 },
    ]);
    // The same chain through periodTwr over a longer series agrees.
    const long = valuationSeries({ baseCurrency: 'USD', entries, unitValue, from: '2025-06-01', to: '2025-07-31' });
    expect(periodTwr(long.days, 'MTD', '2025-07-31').twr).toBeCloseTo(result.twr.twr, 14);
  });

  it('MAX starts the day before the first entry and ignores entries after asOf', () => {
    const later = [...entries, entry('WITHDRAWAL', '2025-08-01', { amount: '1' })];
    const result = periodPerformance({
      baseCurrency: 'USD',
      entries: later,
      unitValue,
      period: 'MAX',
      asOf: '2025-07-31',
    });
    // 06-10: funding, r = 0. 07-01: ×1.1, 07-20: ×0.9625 → the same 0.05875.
    expect(result.baseDate).toBe('2025-06-09');
    expect(result.series.values[0]).toEqual({ date: '2025-06-09', value: '0', cash: '0.00', flow: '0' });
    expect(result.twr.twr).toBeCloseTo(0.05875, 12);
    expect(result.series.values.at(-1)?.date).toBe('2025-07-31');
  });

  it('with no entries: a flat zero chain, no XIRR', () => {
    const result = periodPerformance({
      baseCurrency: 'USD',
      entries: [],
      unitValue,
      period: 'MAX',
      asOf: '2025-07-31',
    });
    expect(result.twr.twr).toBe(0);
    expect(result.xirr).toMatchObject({ ok: false, reason: 'no-sign-change' });
  });
});
