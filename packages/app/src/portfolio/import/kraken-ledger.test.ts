import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseImport } from './parse.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../../../../docs/samples/imports/${name}`, import.meta.url), 'utf8');
const ledger = (text: string) => parseImport(text, 'kraken-ledger');
const HEADER = 'txid,refid,time,type,subtype,aclass,asset,amount,fee,balance';
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

describe('Kraken ledger: the sample', () => {
  const parsed = ledger(sample('kraken-ledger.csv'));

  it('pairs trade rows into one BUY or SELL each, and books the fiat deposit and withdrawal', () => {
    const kraken = (fields: Record<string, string>) => ({ ...fields, source: 'kraken' });
    expect(parsed.candidates).toEqual([
      {
        row: 3,
        tx: kraken({
          type: 'DEPOSIT',
          amount: '5000.0000',
          currency: 'EUR',
          tradeDate: '2026-01-03',
          externalId: 'QGBCNDA-MRJHM-D5VXKL',
        }),
      },
      {
        row: 4,
        tx: kraken({
          type: 'BUY',
          symbol: 'BTC',
          quantity: '0.0500000000',
          price: '50000',
          fee: '4.0000',
          currency: 'EUR',
          tradeDate: '2026-01-05',
          externalId: 'TSK4HQ-3ZCFE-XXB7MV',
        }),
      },
      {
        // The fee was taken in ETH (0.0016): valued at the trade's price, 1800 EUR.
        row: 6,
        tx: kraken({
          type: 'BUY',
          symbol: 'ETH',
          quantity: '1.0000000000',
          price: '1800',
          fee: '2.88',
          currency: 'EUR',
          tradeDate: '2026-01-12',
          externalId: 'TCW3VB-Q7RZL-Y4JX2N',
        }),
      },
      {
        row: 11,
        tx: kraken({
          type: 'SELL',
          symbol: 'BTC',
          quantity: '0.0200000000',
          price: '55000',
          fee: '1.7600',
          currency: 'EUR',
          tradeDate: '2026-02-02',
          externalId: 'TQPZ6R-4HBCM-ELTW3K',
        }),
      },
      {
        // 100 EUR for 3 XRP: the price does not terminate and is rounded to 12 places.
        row: 13,
        tx: kraken({
          type: 'BUY',
          symbol: 'XRP',
          quantity: '3.00000000',
          price: '33.333333333333',
          fee: '0.2600',
          currency: 'EUR',
          tradeDate: '2026-02-10',
          externalId: 'TJ5N2W-ZK6PE-QA7RDB',
        }),
      },
      {
        row: 15,
        tx: kraken({
          type: 'WITHDRAWAL',
          amount: '500.09',
          currency: 'EUR',
          tradeDate: '2026-02-15',
          note: '500.0000 withdrawn, Kraken fee 0.0900',
          externalId: 'AGBZ4YT-QLUX7W-2TMSQP',
        }),
      },
    ]);
  });

  it('rejects staking, wallet transfers and the crypto withdrawal, and skips the entries without txid', () => {
    expect(parsed.rejected).toEqual([
      { row: 8, field: 'type', reason: 'transfers between Kraken wallets (spot, staking, futures) are not imported' },
      { row: 9, field: 'asset', reason: 'staking balances are not imported (ETH2.S is a staked or earning balance)' },
      { row: 10, field: 'asset', reason: 'staking balances are not imported (ETH2.S is a staked or earning balance)' },
      {
        row: 17,
        field: 'asset',
        reason: 'a crypto withdrawal (BTC) has no cost basis: record it as TRANSFER_OUT with a price',
      },
    ]);
    // Ten rows behind six candidates, four rejected, two skipped.
    expect(parsed).toMatchObject({ format: 'kraken-ledger', rowsRead: 16, skipped: 2 });
  });
});

describe('Kraken ledger: trades', () => {
  it('reads newer files (subclass, wallet, plain asset codes) and the app’s spend/receive pairs', () => {
    const parsed = parseImport(
      [
        'txid,refid,time,type,subtype,aclass,subclass,asset,wallet,amount,fee,balance',
        'L1,R1,2026-03-01 10:00:00,spend,,currency,fiat,USD,spot / main,-100.00,1.49,898.51',
        'L2,R1,2026-03-01 10:00:00,receive,,currency,crypto,SOL,spot / main,0.6500000000,0,0.65',
        'L3,R2,2026-03-02 11:00:00,trade,,currency,crypto,XBT,spot / main,-0.001,0,0.1',
        'L4,R2,2026-03-02 11:00:00,trade,,currency,fiat,GBP,spot / main,52.3,0.08,52.22',
      ].join('\r\n'),
      'kraken-ledger',
    );
    expect(parsed.rejected).toEqual([]);
    expect(parsed.candidates).toEqual([
      {
        row: 2,
        tx: {
          type: 'BUY',
          symbol: 'SOL',
          quantity: '0.6500000000',
          price: '153.846153846154',
          fee: '1.49',
          currency: 'USD',
          tradeDate: '2026-03-01',
          externalId: 'R1',
          source: 'kraken',
        },
      },
      {
        row: 4,
        tx: {
          type: 'SELL',
          symbol: 'BTC',
          quantity: '0.001',
          price: '52300',
          fee: '0.08',
          currency: 'GBP',
          tradeDate: '2026-03-02',
          externalId: 'R2',
          source: 'kraken',
        },
      },
    ]);
  });

  it('uses the line of the first row of a pair, wherever its partner is', () => {
    const parsed = ledger(
      csv(
        'L1,R1,2026-03-01 10:00:00,trade,,currency,XXBT,0.01,0,0.01',
        'L9,D1,2026-03-01 09:00:00,deposit,,currency,ZUSD,1000,0,1000',
        'L2,R1,2026-03-01 10:00:00,trade,,currency,ZUSD,-650,1.04,348.96',
      ),
    );
    expect(parsed.candidates.map((candidate) => [candidate.row, candidate.tx.type, candidate.tx.price])).toEqual([
      [2, 'BUY', '65000'],
      [3, 'DEPOSIT', undefined],
    ]);
  });

  it('rejects every row of an unpaired, crowded, one-sided, crypto-to-crypto or fiat-to-fiat trade', () => {
    const parsed = ledger(
      csv(
        'L1,R1,2026-03-01 10:00:00,trade,,currency,XXBT,0.01,0,0.01',
        'L2,R2,2026-03-01 10:00:00,trade,,currency,XXBT,0.01,0,0.02',
        'L3,R2,2026-03-01 10:00:00,trade,,currency,ZUSD,-300,0,700',
        'L4,R2,2026-03-01 10:00:00,trade,,currency,ZUSD,-350,0,350',
        'L5,R3,2026-03-02 10:00:00,trade,,currency,XETH,1,0,1',
        'L6,R3,2026-03-02 10:00:00,trade,,currency,ZEUR,1800,0,1800',
        'L7,R4,2026-03-03 10:00:00,trade,,currency,XETH,-1,0,0',
        'L8,R4,2026-03-03 10:00:00,trade,,currency,XXBT,0.05,0,0.07',
        'L9,R5,2026-03-04 10:00:00,trade,,currency,ZEUR,-100,0,0',
        'L10,R5,2026-03-04 10:00:00,trade,,currency,ZUSD,108,0,108',
      ),
    );
    expect(parsed.candidates).toEqual([]);
    const pairReason = 'trade R2 has 3 ledger row(s); a trade needs exactly two (one asset out, one in)';
    expect(parsed.rejected).toEqual([
      { row: 2, reason: 'trade R1 has 1 ledger row(s); a trade needs exactly two (one asset out, one in)' },
      { row: 3, reason: pairReason },
      { row: 4, reason: pairReason },
      { row: 5, reason: pairReason },
      { row: 6, field: 'amount', reason: 'the two rows of trade R3 do not move one asset out and one in' },
      { row: 7, field: 'amount', reason: 'the two rows of trade R3 do not move one asset out and one in' },
      {
        row: 8,
        field: 'asset',
        reason: 'a crypto-to-crypto trade (ETH → BTC) has no fiat leg to price it: not imported',
      },
      {
        row: 9,
        field: 'asset',
        reason: 'a crypto-to-crypto trade (ETH → BTC) has no fiat leg to price it: not imported',
      },
      { row: 10, field: 'asset', reason: 'a currency conversion (EUR → USD) is not imported' },
      { row: 11, field: 'asset', reason: 'a currency conversion (EUR → USD) is not imported' },
    ]);
    expect(parsed.rowsRead).toBe(10);
  });

  it('rejects both rows when one cannot be read, saying which and why', () => {
    const parsed = ledger(
      csv(
        'L1,R1,2026-03-01 10:00:00,trade,,currency,XXBT,0.01,0,0.01',
        'L2,R1,yesterday,trade,,currency,ZUSD,-650,0,350',
      ),
    );
    expect(parsed.rejected).toEqual([
      {
        row: 2,
        reason:
          'the other row of trade R1 (line 3) cannot be imported: ' +
          'time "yesterday" is not a date: expected YYYY-MM-DD HH:MM:SS (UTC)',
      },
      { row: 3, field: 'time', reason: 'time "yesterday" is not a date: expected YYYY-MM-DD HH:MM:SS (UTC)' },
    ]);
  });
});

describe('Kraken ledger: single entries', () => {
  it('folds a deposit fee into the amount that arrived', () => {
    const parsed = ledger(csv('L1,D1,2026-03-01 10:00:00,deposit,,currency,ZGBP,100.00,0.50,99.50'));
    expect(parsed.candidates[0].tx).toEqual({
      type: 'DEPOSIT',
      amount: '99.5',
      currency: 'GBP',
      tradeDate: '2026-03-01',
      note: '100.00 deposited, Kraken fee 0.50',
      externalId: 'D1',
      source: 'kraken',
    });
  });

  it('rejects what it does not import, each with its reason', () => {
    const parsed = ledger(
      csv(
        'L1,S1,2026-03-01 10:00:00,staking,,currency,DOT.S,0.5,0,10.5',
        'L2,E1,2026-03-01 10:00:00,earn,reward,currency,USDC.M,0.02,0,100.02',
        'L3,A1,2026-03-01 10:00:00,adjustment,,currency,ZUSD,0.01,0,0.01',
        'L4,C1,2026-03-01 10:00:00,deposit,,currency,XETH,1,0,1',
        'L5,W1,2026-03-01 10:00:00,withdrawal,,currency,ZUSD,25,0,25',
        'L6,D2,2026-03-01 10:00:00,deposit,,currency,ZUSD,1,1,1',
        'L7,D3,2026-03-01 10:00:00,deposit,,currency,ZUSD,ten,0,10',
        'L8,R1,2026-03-01 10:00:00,rollover,,currency,ZUSD,-1,0,9',
      ),
    );
    expect(parsed.candidates).toEqual([]);
    expect(parsed.rejected).toEqual([
      { row: 2, field: 'asset', reason: 'staking balances are not imported (DOT.S is a staked or earning balance)' },
      { row: 3, field: 'asset', reason: 'staking balances are not imported (USDC.M is a staked or earning balance)' },
      { row: 4, field: 'type', reason: 'ledger entries of type "adjustment" are not imported' },
      {
        row: 5,
        field: 'asset',
        reason: 'a crypto deposit (ETH) has no cost basis: record it as TRANSFER_IN with a price',
      },
      {
        row: 6,
        field: 'amount',
        reason: 'a withdrawal must have a negative amount (got 25); a positive one returns a failed withdrawal',
      },
      { row: 7, field: 'fee', reason: 'the fee (1) takes all of the deposit (1)' },
      { row: 8, field: 'amount', reason: 'amount "ten" is not a number (this file writes decimals with ".")' },
      { row: 9, field: 'type', reason: 'margin rollovers are not imported' },
    ]);
  });

  it('refuses a ledger without the columns it needs', () => {
    expect(() => parseImport('txid,refid,asset\nL1,R1,ZUSD\n', 'kraken-ledger')).toThrow(
      expect.objectContaining({ code: 'MISSING_COLUMNS', details: { missing: ['time', 'type', 'amount'], row: 1 } }),
    );
  });
});
