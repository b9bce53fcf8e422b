import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseImport } from './parse.js';
import { ImportFormatError, type ParsedImport } from './types.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../../../../docs/samples/imports/${name}`, import.meta.url), 'utf8');
const generic = (text: string) => parseImport(text, 'generic');
const csv = (...rows: string[]) => `${rows.join('\n')}\n`;

function formatError(run: () => unknown): ImportFormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFormatError) return error;
    throw error;
  }
  throw new Error('expected an ImportFormatError');
}

describe('generic CSV: the sample', () => {
  it('reads docs/samples/imports/generic.csv (BOM, CRLF, columns in its own order, a multi-line note)', () => {
    const text = sample('generic.csv');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toContain('\r\n');
    const parsed = generic(text);
    expect(parsed).toEqual({
      format: 'generic',
      rowsRead: 11,
      rejected: [],
      skipped: 0,
      candidates: [
        {
          row: 2,
          tx: {
            type: 'DEPOSIT',
            amount: '50000.00',
            currency: 'USD',
            tradeDate: '2026-01-02',
            note: 'Initial funding',
            externalId: 'GEN-0001',
            source: 'csv',
          },
        },
        {
          row: 3,
          tx: {
            type: 'BUY',
            symbol: 'AAPL',
            quantity: '100',
            price: '185.50',
            fee: '1.00',
            currency: 'USD',
            tradeDate: '2026-01-05',
            settleDate: '2026-01-07',
            note: 'Opening position, long-term',
            externalId: 'GEN-0002',
            source: 'csv',
          },
        },
        {
          row: 4,
          tx: {
            type: 'BUY',
            symbol: 'MSFT',
            quantity: '40',
            price: '402.10',
            fee: '1.00',
            currency: 'USD',
            tradeDate: '2026-01-06',
            settleDate: '2026-01-08',
            externalId: 'GEN-0003',
            source: 'csv',
          },
        },
        {
          row: 5,
          tx: {
            type: 'BUY',
            symbol: 'NVDA',
            quantity: '10',
            price: '1208.88',
            fee: '1.00',
            currency: 'USD',
            tradeDate: '2026-01-07',
            settleDate: '2026-01-09',
            externalId: 'GEN-0004',
            source: 'csv',
          },
        },
        {
          row: 6,
          tx: {
            type: 'DIVIDEND',
            symbol: 'AAPL',
            amount: '24.00',
            currency: 'USD',
            tradeDate: '2026-02-13',
            note: 'Q1 dividend',
            externalId: 'GEN-0005',
            source: 'csv',
          },
        },
        {
          row: 7,
          tx: {
            type: 'SELL',
            symbol: 'MSFT',
            quantity: '15',
            price: '415.00',
            fee: '1.00',
            currency: 'USD',
            tradeDate: '2026-03-02',
            settleDate: '2026-03-04',
            note: 'Trimmed',
            externalId: 'GEN-0006',
            source: 'csv',
          },
        },
        {
          row: 8,
          tx: {
            type: 'FEE',
            amount: '5.00',
            currency: 'USD',
            tradeDate: '2026-03-31',
            note: 'Account maintenance',
            externalId: 'GEN-0007',
            source: 'csv',
          },
        },
        {
          row: 9,
          tx: {
            type: 'INTEREST',
            amount: '12.34',
            currency: 'USD',
            tradeDate: '2026-03-31',
            externalId: 'GEN-0008',
            source: 'csv',
          },
        },
        {
          row: 10,
          tx: {
            type: 'WITHDRAWAL',
            amount: '1000.00',
            currency: 'USD',
            tradeDate: '2026-04-01',
            externalId: 'GEN-0009',
            source: 'csv',
          },
        },
        {
          row: 11,
          tx: {
            type: 'TRANSFER_IN',
            symbol: 'VOO',
            quantity: '5',
            price: '430.25',
            currency: 'USD',
            tradeDate: '2026-04-15',
            note: 'Moved from the old broker\r\n("Acme" account)',
            externalId: 'GEN-0010',
            source: 'csv',
          },
        },
        {
          row: 13,
          tx: {
            type: 'SPLIT',
            symbol: 'NVDA',
            ratio: '10:1',
            tradeDate: '2026-06-10',
            note: '10-for-1 split',
            externalId: 'GEN-0011',
            source: 'csv',
          },
        },
      ],
    } satisfies ParsedImport);
  });

  it('reads docs/samples/imports/generic-bad-row.csv: the good rows, and the bad one refused with its line', () => {
    const parsed = generic(sample('generic-bad-row.csv'));
    expect(parsed.rejected).toEqual([
      { row: 4, field: 'tradeDate', reason: 'tradeDate "2026-02-30" is not a date: expected YYYY-MM-DD' },
    ]);
    expect(parsed.candidates.map((candidate) => candidate.row)).toEqual([2, 3, 5, 6]);
    expect(parsed.candidates[0]).toEqual({
      row: 2,
      tx: { type: 'DEPOSIT', amount: '10000', currency: 'EUR', tradeDate: '2026-02-02', source: 'csv' },
    });
    expect(parsed.candidates[3]).toEqual({
      row: 6,
      tx: {
        type: 'SELL',
        symbol: 'SAP',
        quantity: '5',
        price: '189.40',
        fee: '1.25',
        currency: 'EUR',
        tradeDate: '2026-02-20',
        source: 'csv',
      },
    });
    expect(parsed).toMatchObject({ rowsRead: 5, skipped: 0 });
  });
});

describe('generic CSV: header', () => {
  it('matches field names in any order, case, spacing and underscores, and ignores unknown columns', () => {
    const parsed = generic(
      csv('Broker Ref,TRADE_DATE,  Symbol ,type,QUANTITY,price,trade-fee?,Fee', 'x1,2026-03-01,aapl,buy,3,10,9,0.5'),
    );
    expect(parsed.candidates).toEqual([
      {
        row: 2,
        tx: {
          type: 'BUY',
          symbol: 'AAPL',
          quantity: '3',
          price: '10',
          fee: '0.5',
          tradeDate: '2026-03-01',
          source: 'csv',
        },
      },
    ]);
  });

  it('requires type and tradeDate columns, naming the missing ones', () => {
    const error = formatError(() => generic(csv('symbol,quantity,price', 'AAPL,1,2')));
    expect(error.code).toBe('MISSING_COLUMNS');
    expect(error.details).toEqual({ missing: ['type', 'tradeDate'], row: 1 });
    expect(formatError(() => generic(csv('type,date', 'BUY,2026-01-01'))).details.missing).toEqual(['tradeDate']);
  });

  it('refuses a header that names one field twice', () => {
    const error = formatError(() => generic(csv('type,tradeDate,Trade Date', 'BUY,2026-01-01,2026-01-02')));
    expect(error.code).toBe('MALFORMED_CSV');
    expect(error.message).toContain('columns 2 ("tradeDate") and 3 ("Trade Date")');
  });

  it('refuses an empty file', () => {
    expect(formatError(() => generic('')).code).toBe('UNRECOGNISED_FORMAT');
    expect(formatError(() => generic('\uFEFF\r\n\r\n')).code).toBe('UNRECOGNISED_FORMAT');
  });
});

describe('generic CSV: values', () => {
  const one = (row: string, header = 'type,tradeDate,symbol,quantity,price,fee,amount,ratio,currency,note') =>
    generic(csv(header, row));

  it('takes the date of an ISO date-time', () => {
    expect(one('DEPOSIT,2026-05-04T23:30:00-04:00,,,,,100').candidates[0].tx.tradeDate).toBe('2026-05-04');
    expect(one('DEPOSIT,2026-05-04 09:00:00,,,,,100').candidates[0].tx.tradeDate).toBe('2026-05-04');
  });

  it('accepts type spellings with spaces, hyphens and any case', () => {
    expect(one('transfer in,2026-05-04,VOO,1,400').candidates[0].tx.type).toBe('TRANSFER_IN');
    expect(one('Transfer-Out,2026-05-04,VOO,1,400').candidates[0].tx.type).toBe('TRANSFER_OUT');
  });

  it('writes split ratios as new:old', () => {
    const ratio = (written: string) => one(`SPLIT,2026-06-10,NVDA,,,,,"${written}"`).candidates[0]?.tx.ratio;
    expect(ratio('10:1')).toBe('10:1');
    expect(ratio('3 for 2')).toBe('3:2');
    expect(ratio('2-for-1')).toBe('2:1');
    expect(ratio('1/10')).toBe('1:10');
    expect(ratio('4')).toBe('4:1');
    expect(one('SPLIT,2026-06-10,NVDA,,,,,0:1').rejected).toEqual([
      { row: 2, field: 'ratio', reason: 'ratio "0:1" is not a split ratio: write new:old, e.g. 2:1 or 1:10' },
    ]);
  });

  it('drops a sign that agrees with the type, and refuses one that contradicts it', () => {
    expect(one('SELL,2026-05-04,AAPL,-5,200,-1').candidates[0].tx).toMatchObject({ quantity: '5', fee: '1' });
    expect(one('WITHDRAWAL,2026-05-04,,,,,(250.00)').candidates[0].tx.amount).toBe('250.00');
    expect(one('BUY,2026-05-04,AAPL,-5,200').rejected).toEqual([
      {
        row: 2,
        field: 'quantity',
        reason:
          'quantity is negative (-5): the type carries the direction, so write a positive quantity ' +
          '(or use another type than BUY)',
      },
    ]);
    expect(one('DEPOSIT,2026-05-04,,,,,-100').rejected[0]).toMatchObject({ field: 'amount' });
    expect(one('BUY,2026-05-04,AAPL,5,-200').rejected[0]).toMatchObject({ field: 'price' });
  });

  it('refuses rows a person has to fix, each with its line, column and reason', () => {
    const parsed = generic(
      csv(
        'type,tradeDate,symbol,quantity,price,amount,currency',
        'BUY,2026-01-02,AAPL,1,10,,USD',
        'BOUGHT,2026-01-02,AAPL,1,10,,USD',
        'BUY,,AAPL,1,10,,USD',
        'BUY,02/01/2026,AAPL,1,10,,USD',
        'BUY,2026-01-02,,1,10,,USD',
        'BUY,2026-01-02,AAPL,one,10,,USD',
        'BUY,2026-01-02,AAPL,0,10,,USD',
        'DEPOSIT,2026-01-02,,,,,USD',
        'DEPOSIT,2026-01-02,,,,100,US$',
        'TRANSFER_IN,2026-01-02,,,,,USD',
        'SELL,2026-01-03,AAPL,1,12,,USD',
      ),
    );
    expect(parsed.candidates.map((candidate) => candidate.row)).toEqual([2, 12]);
    expect(parsed.rejected).toEqual([
      {
        row: 3,
        field: 'type',
        reason:
          'type "BOUGHT" is not one of BUY, SELL, DIVIDEND, INTEREST, FEE, DEPOSIT, WITHDRAWAL, SPLIT, ' +
          'TRANSFER_IN, TRANSFER_OUT',
      },
      { row: 4, field: 'tradeDate', reason: 'tradeDate is empty' },
      { row: 5, field: 'tradeDate', reason: 'tradeDate "02/01/2026" is not a date: expected YYYY-MM-DD' },
      { row: 6, field: 'symbol', reason: 'symbol is empty: a BUY needs it' },
      { row: 7, field: 'quantity', reason: 'quantity "one" is not a number (this file writes decimals with ".")' },
      { row: 8, field: 'quantity', reason: 'quantity must be greater than zero (got 0)' },
      { row: 9, field: 'amount', reason: 'amount is empty: a DEPOSIT needs it' },
      { row: 10, field: 'currency', reason: 'currency "US$" is not a currency code like USD' },
      {
        row: 11,
        field: 'symbol',
        reason: 'a TRANSFER_IN needs symbol, quantity and price (securities) or amount (cash)',
      },
    ]);
    expect(parsed.rowsRead).toBe(11);
  });
});

describe('generic CSV: localized numbers', () => {
  it('reads a ;-delimited file written with decimal commas and dot grouping', () => {
    const parsed = generic(
      csv(
        'Typ ignored;type;tradeDate;symbol;quantity;price;fee;amount;currency',
        ';DEPOSIT;2026-01-02;;;;;25.000,00;EUR',
        ';BUY;2026-01-03;SAP;1.000;18,01;1,5;;EUR',
        ';BUY;2026-01-04;SIE;12;171,84;1;;EUR',
      ),
    );
    expect(parsed.rejected).toEqual([]);
    expect(parsed.candidates.map((candidate) => candidate.tx)).toEqual([
      { type: 'DEPOSIT', amount: '25000.00', currency: 'EUR', tradeDate: '2026-01-02', source: 'csv' },
      {
        type: 'BUY',
        symbol: 'SAP',
        quantity: '1000',
        price: '18.01',
        fee: '1.5',
        currency: 'EUR',
        tradeDate: '2026-01-03',
        source: 'csv',
      },
      {
        type: 'BUY',
        symbol: 'SIE',
        quantity: '12',
        price: '171.84',
        fee: '1',
        currency: 'EUR',
        tradeDate: '2026-01-04',
        source: 'csv',
      },
    ]);
  });

  it('reads quoted comma-decimal numbers in a ,-delimited file when the file says so', () => {
    const parsed = generic(csv('type,tradeDate,amount', 'DEPOSIT,2026-01-02,"1.234,56"', 'DEPOSIT,2026-01-03,"1.234"'));
    expect(parsed.candidates.map((candidate) => candidate.tx.amount)).toEqual(['1234.56', '1234']);
  });

  it('reads a ;-delimited file with nothing to tell as comma-decimal, a ,-delimited one as dot-decimal', () => {
    expect(generic(csv('type;tradeDate;amount', 'DEPOSIT;2026-01-02;1.234')).candidates[0].tx.amount).toBe('1234');
    expect(generic(csv('type,tradeDate,amount', 'DEPOSIT,2026-01-02,"1,234"')).candidates[0].tx.amount).toBe('1234');
    expect(generic(csv('type,tradeDate,amount', 'DEPOSIT,2026-01-02,1.234')).candidates[0].tx.amount).toBe('1.234');
  });

  it('reads each number on its own when the file uses both conventions', () => {
    const parsed = generic(
      csv('type,tradeDate,amount', 'DEPOSIT,2026-01-02,1.5', 'DEPOSIT,2026-01-03,2.5', 'DEPOSIT,2026-01-04,"12,5"'),
    );
    expect(parsed.candidates.map((candidate) => candidate.tx.amount)).toEqual(['1.5', '2.5', '12.5']);
  });
});
