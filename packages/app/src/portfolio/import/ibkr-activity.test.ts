import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseImport } from './parse.js';
import { type CandidateTransaction, ImportFormatError } from './types.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../../../../docs/samples/imports/${name}`, import.meta.url), 'utf8');
const activity = (text: string) => parseImport(text, 'ibkr-activity');
const csv = (...rows: string[]) => `${rows.join('\n')}\n`;

const TRADES_HEADER =
  'Trades,Header,DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,T. Price,C. Price,Proceeds,' +
  'Comm/Fee,Basis,Realized P/L,MTM P/L,Code';
const trade = (tx: Omit<CandidateTransaction, 'source'>) => ({ ...tx, source: 'ibkr' as const });

describe('IBKR Activity Statement: the English sample', () => {
  const parsed = activity(sample('ibkr-activity.csv'));

  it('imports trades, dividends, deposits and withdrawals, each on its line', () => {
    expect(parsed.candidates).toEqual([
      {
        row: 24,
        tx: trade({
          type: 'BUY',
          symbol: 'SAP',
          quantity: '30',
          price: '180.1',
          fee: '1.25',
          currency: 'EUR',
          tradeDate: '2026-08-06',
        }),
      },
      {
        row: 27,
        tx: trade({
          type: 'BUY',
          symbol: 'AAPL',
          quantity: '50',
          price: '218.36',
          fee: '1',
          currency: 'USD',
          tradeDate: '2026-08-04',
        }),
      },
      {
        row: 28,
        tx: trade({
          type: 'SELL',
          symbol: 'AAPL',
          quantity: '20',
          price: '228.5',
          fee: '1.02',
          currency: 'USD',
          tradeDate: '2026-08-26',
        }),
      },
      {
        row: 31,
        tx: trade({
          type: 'BUY',
          symbol: 'F',
          quantity: '1000',
          price: '10.57',
          fee: '5',
          currency: 'USD',
          tradeDate: '2026-08-05',
        }),
      },
      {
        row: 33,
        tx: trade({
          type: 'BUY',
          symbol: 'MSFT',
          quantity: '20',
          price: '406.02',
          fee: '1',
          currency: 'USD',
          tradeDate: '2026-08-12',
        }),
      },
      {
        row: 38,
        tx: trade({
          type: 'DEPOSIT',
          amount: '10000',
          currency: 'EUR',
          tradeDate: '2026-08-03',
          settleDate: '2026-08-03',
          note: 'Electronic Fund Transfer',
        }),
      },
      {
        row: 40,
        tx: trade({
          type: 'DEPOSIT',
          amount: '40000',
          currency: 'USD',
          tradeDate: '2026-08-03',
          settleDate: '2026-08-03',
          note: 'Electronic Fund Transfer',
        }),
      },
      {
        row: 41,
        tx: trade({
          type: 'WITHDRAWAL',
          amount: '1500',
          currency: 'USD',
          tradeDate: '2026-08-28',
          settleDate: '2026-08-28',
          note: 'Disbursement Initiated by Jane Doe',
        }),
      },
      {
        row: 45,
        tx: trade({
          type: 'DIVIDEND',
          symbol: 'AAPL',
          amount: '13',
          currency: 'USD',
          tradeDate: '2026-08-14',
          note: 'AAPL(US0378331005) Cash Dividend USD 0.26 per Share (Ordinary Dividend)',
        }),
      },
      {
        row: 46,
        tx: trade({
          type: 'DIVIDEND',
          symbol: 'MSFT',
          amount: '16.6',
          currency: 'USD',
          tradeDate: '2026-08-20',
          note: 'MSFT(US5949181045) Cash Dividend USD 0.83 per Share (Ordinary Dividend)',
        }),
      },
    ]);
  });

  it('skips every other section, header, closed lot, subtotal, total and note, and rejects nothing', () => {
    expect(parsed).toMatchObject({ format: 'ibkr-activity', rowsRead: 51, skipped: 41, rejected: [] });
    expect(parsed.candidates.every((candidate) => candidate.tx.externalId === undefined)).toBe(true);
  });
});

describe('IBKR Activity Statement: the German sample', () => {
  const parsed = activity(sample('ibkr-activity-de.csv'));

  it('reads the German section names and column headers', () => {
    expect(parsed.candidates).toEqual([
      {
        row: 15,
        tx: trade({
          type: 'BUY',
          symbol: 'SAP',
          quantity: '40',
          price: '180.1',
          fee: '3',
          currency: 'EUR',
          tradeDate: '2026-08-05',
        }),
      },
      {
        row: 16,
        tx: trade({
          type: 'SELL',
          symbol: 'SAP',
          quantity: '10',
          price: '188.5',
          fee: '3',
          currency: 'EUR',
          tradeDate: '2026-08-25',
        }),
      },
      {
        row: 19,
        tx: trade({
          type: 'BUY',
          symbol: 'SIE',
          quantity: '25',
          price: '171.84',
          fee: '3',
          currency: 'EUR',
          tradeDate: '2026-08-07',
        }),
      },
      {
        row: 25,
        tx: trade({
          type: 'DEPOSIT',
          amount: '15000',
          currency: 'EUR',
          tradeDate: '2026-08-03',
          settleDate: '2026-08-03',
          note: 'Elektronische Überweisung',
        }),
      },
      {
        row: 28,
        tx: trade({
          type: 'DIVIDEND',
          symbol: 'SIE',
          amount: '130',
          currency: 'EUR',
          tradeDate: '2026-08-20',
          note: 'SIE(DE0007236101) Bardividende EUR 5.20 pro Aktie (Gewöhnliche Dividende)',
        }),
      },
    ]);
  });

  it('rejects the option trade with a reason, and skips Gesamt rows and the Quellensteuer section', () => {
    expect(parsed.rejected).toEqual([
      {
        row: 22,
        field: 'Vermögenswertkategorie',
        reason: 'Aktien- und Indexoptionen trades are not imported: only stocks, ETFs and crypto are',
      },
    ]);
    expect(parsed.rowsRead).toBe(parsed.candidates.length + parsed.rejected.length + parsed.skipped);
    expect(parsed.rowsRead).toBe(38);
  });

  it('knows the other German spelling of Deposits & Withdrawals', () => {
    const parsed = activity(
      csv(
        'Einzahlungen & Auszahlungen,Header,Währung,Abrechnungsdatum,Beschreibung,Betrag',
        'Einzahlungen & Auszahlungen,Data,EUR,2026-02-10,Elektronische Überweisung,1500',
        'Einzahlungen & Auszahlungen,Data,EUR,2026-03-10,Auszahlung,-200.5',
        'Einzahlungen & Auszahlungen,Data,Gesamt,,,1299.5',
      ),
    );
    expect(parsed.candidates.map((candidate) => [candidate.row, candidate.tx.type, candidate.tx.amount])).toEqual([
      [2, 'DEPOSIT', '1500'],
      [3, 'WITHDRAWAL', '200.5'],
    ]);
    expect(parsed.skipped).toBe(2);
  });
});

describe('IBKR Activity Statement: rows', () => {
  it('reads each Data row by the latest Header of its section, by name', () => {
    const parsed = activity(
      csv(
        TRADES_HEADER,
        'Trades,Data,Order,Stocks,USD,AAPL,"2026-08-04, 10:15:02",50,218.36,219.1,-10918,-1,10919,0,37,O',
        'Trades,Header,DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,T. Price,,Proceeds,' +
          'Comm in USD,,,MTM in USD,Code',
        'Trades,Data,Order,Forex,USD,EUR.USD,"2026-08-04, 11:00:00",-1000,1.0921,,1092.1,-2,,,0,',
        'Trades,Header,Account,Currency,Asset Category,DataDiscriminator,Symbol,Quantity,Date/Time,Comm/Fee,T. Price',
        'Trades,Data,U1234567,USD,Stocks,Trade,BRK B,"1,000","2026-08-05, 09:00:00",-1.5,"1,471.30"',
      ),
    );
    expect(parsed.candidates).toEqual([
      {
        row: 2,
        tx: trade({
          type: 'BUY',
          symbol: 'AAPL',
          quantity: '50',
          price: '218.36',
          fee: '1',
          currency: 'USD',
          tradeDate: '2026-08-04',
        }),
      },
      {
        row: 6,
        tx: trade({
          type: 'BUY',
          symbol: 'BRK.B',
          quantity: '1000',
          price: '1471.30',
          fee: '1.5',
          currency: 'USD',
          tradeDate: '2026-08-05',
        }),
      },
    ]);
    expect(parsed.rejected).toEqual([
      {
        row: 4,
        field: 'Asset Category',
        reason: 'Forex trades are not imported: only stocks, ETFs and crypto are',
      },
    ]);
  });

  it('imports crypto trades and rejects options', () => {
    const parsed = activity(
      csv(
        TRADES_HEADER,
        'Trades,Data,Order,Crypto,USD,BTC,"2026-08-04, 10:15:02",0.015,64000.25,,,-1.44,,,,O',
        'Trades,Data,Order,Equity and Index Options,USD,AAPL 18SEP26 240 C,"2026-08-04, 10:15:02",1,3.2,,,-0.65,,,,O',
      ),
    );
    expect(parsed.candidates.map((candidate) => candidate.tx)).toEqual([
      trade({
        type: 'BUY',
        symbol: 'BTC',
        quantity: '0.015',
        price: '64000.25',
        fee: '1.44',
        currency: 'USD',
        tradeDate: '2026-08-04',
      }),
    ]);
    expect(parsed.rejected[0]).toMatchObject({ row: 3, reason: expect.stringContaining('Equity and Index Options') });
  });

  it('rejects a dividend reversal, a description without a symbol and unreadable figures', () => {
    const parsed = activity(
      csv(
        'Dividends,Header,Currency,Date,Description,Amount',
        'Dividends,Data,USD,2026-08-14,AAPL(US0378331005) Cash Dividend USD 0.26 per Share (Ordinary Dividend),-13',
        'Dividends,Data,USD,2026-08-14,Cash Dividend USD 0.26 per Share,13',
        'Dividends,Data,USD,14/08/2026,MSFT(US5949181045) Cash Dividend USD 0.83 per Share,16.6',
        'Dividends,Data,USD,2026-08-20,MSFT(US5949181045) Cash Dividend USD 0.83 per Share,n/a',
        'Dividends,Data,Total in USD,,,16.6',
        TRADES_HEADER,
        'Trades,Data,Order,Stocks,USD,AAPL,"2026-08-04, 10:15:02",0,218.36,,,-1,,,,O',
        'Trades,Data,Order,Stocks,USD,AAPL,"2026-08-04, 10:15:02",5,218.36,,,0.35,,,,O',
        'Trades,Data,Summary,Stocks,USD,AAPL,"2026-08-04, 10:15:02",5,218.36,,,-1,,,,O',
      ),
    );
    expect(parsed.candidates).toEqual([]);
    expect(parsed.rejected).toEqual([
      {
        row: 2,
        field: 'Amount',
        reason:
          'a negative dividend (-13) corrects an earlier payment: it is not imported; ' +
          'reverse the dividend it corrects in the ledger instead',
      },
      { row: 3, field: 'Description', reason: 'no symbol found in the Description (expected "SYMBOL(ISIN) …")' },
      {
        row: 4,
        field: 'Date',
        reason: 'Date "14/08/2026" is not a date: expected YYYY-MM-DD or "YYYY-MM-DD, HH:MM:SS"',
      },
      { row: 5, field: 'Amount', reason: 'Amount "n/a" is not a number (this file writes decimals with ".")' },
      { row: 8, field: 'Quantity', reason: 'Quantity must be greater than zero (got 0)' },
      {
        row: 9,
        field: 'Comm/Fee',
        reason: "Comm/Fee is a credit (0.35), which a trade's fee cannot carry: record this trade by hand",
      },
      { row: 10, field: 'DataDiscriminator', reason: 'DataDiscriminator "Summary" is neither Order nor Trade' },
    ]);
    expect(parsed.skipped).toBe(3); // two headers and the total
  });

  it('rejects a Data row that comes before its section’s Header', () => {
    const parsed = activity(
      csv('Statement,Header,Field Name,Field Value', 'Dividends,Data,USD,2026-08-14,AAPL(US0378331005) x,1'),
    );
    expect(parsed.rejected).toEqual([{ row: 2, reason: "a Dividends Data row comes before the section's Header row" }]);
  });
});

describe('IBKR Activity Statement: structure', () => {
  it('refuses an imported section whose header lacks a column it needs', () => {
    try {
      activity(
        csv(
          'Statement,Header,Field Name,Field Value',
          'Trades,Header,DataDiscriminator,Asset Category,Symbol,Quantity',
        ),
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ImportFormatError);
      expect(error).toMatchObject({
        code: 'MISSING_COLUMNS',
        details: { missing: ['Currency', 'Date/Time', 'T. Price'], row: 2 },
      });
    }
  });

  it('refuses a file with no section headers', () => {
    expect(() => activity(csv('type,tradeDate', 'BUY,2026-01-01'))).toThrow(
      expect.objectContaining({ code: 'UNRECOGNISED_FORMAT' }),
    );
  });
});
