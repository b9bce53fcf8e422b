import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseImport } from './parse.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../../../../docs/samples/imports/${name}`, import.meta.url), 'utf8');
const flex = (text: string) => parseImport(text, 'ibkr-flex');
const csv = (...rows: string[]) => `${rows.join('\n')}\n`;

describe('IBKR Flex: the sample', () => {
  const parsed = flex(sample('ibkr-flex.csv'));

  it('imports the stock executions with TradeID as externalId and FXRateToBase as fxRate', () => {
    const tx = (fields: Record<string, string>) => ({ ...fields, source: 'ibkr' });
    expect(parsed.candidates).toEqual([
      {
        row: 2,
        tx: tx({
          type: 'BUY',
          symbol: 'AAPL',
          quantity: '50',
          price: '218.36',
          fee: '1',
          currency: 'USD',
          fxRate: '1',
          tradeDate: '2026-08-04',
          settleDate: '2026-08-05',
          externalId: '812345601',
        }),
      },
      {
        row: 3,
        tx: tx({
          type: 'BUY',
          symbol: 'SAP',
          quantity: '30',
          price: '180.1',
          fee: '1.25',
          currency: 'EUR',
          fxRate: '1.0921',
          tradeDate: '2026-08-06',
          settleDate: '2026-08-10',
          externalId: '812345603',
        }),
      },
      {
        row: 4,
        tx: tx({
          type: 'BUY',
          symbol: 'MSFT',
          quantity: '20',
          price: '406.02',
          fee: '1',
          currency: 'USD',
          fxRate: '1',
          tradeDate: '2026-08-12',
          settleDate: '2026-08-13',
          externalId: '812345602',
        }),
      },
      {
        row: 7,
        tx: tx({
          type: 'SELL',
          symbol: 'AAPL',
          quantity: '20',
          price: '228.5',
          fee: '1.0212',
          currency: 'USD',
          fxRate: '1',
          tradeDate: '2026-08-26',
          settleDate: '2026-08-27',
          externalId: '812345605',
        }),
      },
      {
        row: 9,
        tx: tx({
          type: 'BUY',
          symbol: 'BRK.B',
          quantity: '10',
          price: '471.3',
          fee: '1',
          currency: 'USD',
          fxRate: '1',
          tradeDate: '2026-08-19',
          settleDate: '2026-08-20',
          externalId: '812345701',
        }),
      },
      {
        row: 10,
        tx: tx({
          type: 'SELL',
          symbol: 'BRK.B',
          quantity: '4',
          price: '480.05',
          fee: '1',
          currency: 'USD',
          fxRate: '1',
          tradeDate: '2026-08-28',
          settleDate: '2026-08-29',
          externalId: '812345702',
        }),
      },
    ]);
  });

  it('rejects the option, skips the ORDER row beside its execution and the repeated header', () => {
    expect(parsed.rejected).toEqual([
      { row: 5, field: 'AssetClass', reason: 'OPT trades are not imported: only stocks (STK) and crypto (CRYPTO) are' },
    ]);
    expect(parsed).toMatchObject({ format: 'ibkr-flex', rowsRead: 9, skipped: 2 });
  });
});

describe('IBKR Flex: layouts', () => {
  it('reads files with section codes and line descriptors (BOF/BOS/HEADER/DATA/EOS/EOF)', () => {
    const parsed = flex(
      csv(
        '"BOF","U1234567","Trades","1","20260801","20260831","20260901;083000","1"',
        '"BOA","U1234567"',
        '"BOS","ACCT","Account Information"',
        '"HEADER","ACCT","ClientAccountID","AccountAlias","CurrencyPrimary"',
        '"DATA","ACCT","U1234567","","USD"',
        '"EOS","ACCT","1"',
        '"BOS","TRNT","Trades"',
        '"HEADER","TRNT","Symbol","AssetClass","CurrencyPrimary","DateTime","Quantity","TradePrice",' +
          '"IBCommission","TradeID"',
        '"DATA","TRNT","AAPL","STK","USD","20260804;101502","50","218.36","-1","812345601"',
        '"DATA","TRNT","BTC","CRYPTO","USD","2026-08-05;090000","0.015","64000.25","-1.44","812345602"',
        '"EOS","TRNT","2"',
        '"EOA","U1234567"',
        '"EOF","U1234567"',
      ),
    );
    expect(parsed.candidates).toEqual([
      {
        row: 9,
        tx: {
          type: 'BUY',
          symbol: 'AAPL',
          quantity: '50',
          price: '218.36',
          fee: '1',
          currency: 'USD',
          tradeDate: '2026-08-04',
          externalId: '812345601',
          source: 'ibkr',
        },
      },
      {
        row: 10,
        tx: {
          type: 'BUY',
          symbol: 'BTC',
          quantity: '0.015',
          price: '64000.25',
          fee: '1.44',
          currency: 'USD',
          tradeDate: '2026-08-05',
          externalId: '812345602',
          source: 'ibkr',
        },
      },
    ]);
    // Every line but the first header is a record; all but the two trades are skipped.
    expect(parsed).toMatchObject({ rowsRead: 12, skipped: 10, rejected: [] });
  });

  it('takes the side from the quantity without a Buy/Sell column, and ORDER rows when there are no executions', () => {
    const parsed = flex(
      csv(
        'TradeDate,Symbol,AssetClass,CurrencyPrimary,Quantity,TradePrice,IBCommission,LevelOfDetail',
        '2026-08-04,AAPL,STK,USD,-5,220,0,ORDER',
        '2026-08-04,AAPL,STK,USD,-5,220,0,CLOSED_LOT',
      ),
    );
    expect(parsed.candidates).toEqual([
      {
        row: 2,
        tx: {
          type: 'SELL',
          symbol: 'AAPL',
          quantity: '5',
          price: '220',
          fee: '0',
          currency: 'USD',
          tradeDate: '2026-08-04',
          source: 'ibkr',
        },
      },
    ]);
    expect(parsed.skipped).toBe(1);
  });

  it('rejects cancelled trades, contradictory sides, foreign-currency commissions and unreadable dates', () => {
    const parsed = flex(
      csv(
        'TradeID,TradeDate,Symbol,AssetClass,CurrencyPrimary,Buy/Sell,Quantity,TradePrice,IBCommission,' +
          'IBCommissionCurrency',
        '1,20260804,AAPL,STK,USD,BUY (Ca.),5,220,-1,USD',
        '2,20260804,AAPL,STK,USD,BUY,-5,220,-1,USD',
        '3,20260804,SAP,STK,EUR,BUY,5,180,-1,USD',
        '4,08/04/2026,AAPL,STK,USD,BUY,5,220,-1,USD',
        '5,20260804,AAPL,STK,USD,SHORT,5,220,-1,USD',
      ),
    );
    expect(parsed.candidates).toEqual([]);
    expect(parsed.rejected).toEqual([
      { row: 2, field: 'Buy/Sell', reason: 'a cancelled trade (code Ca) is not imported' },
      { row: 3, field: 'Quantity', reason: 'Quantity is negative (-5) on a BUY' },
      {
        row: 4,
        field: 'IBCommissionCurrency',
        reason: 'the commission is charged in USD but the trade is in EUR: record this trade by hand',
      },
      {
        row: 5,
        field: 'TradeDate',
        reason:
          'TradeDate "08/04/2026" is not a date: expected yyyyMMdd or yyyy-MM-dd ' +
          '(set it in the Flex query’s date format)',
      },
      { row: 6, field: 'Buy/Sell', reason: 'Buy/Sell "SHORT" is neither BUY nor SELL' },
    ]);
  });

  it('refuses a header without the trade columns, naming them', () => {
    expect(() => flex(csv('Symbol,Quantity,MarkPrice,PositionValue,IBCommission', 'AAPL,5,220,1100,0'))).toThrow(
      expect.objectContaining({
        code: 'MISSING_COLUMNS',
        details: { missing: ['AssetClass', 'TradePrice', 'CurrencyPrimary', 'TradeDate'], row: 1 },
      }),
    );
  });
});
