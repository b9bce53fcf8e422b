import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { krakenAsset, splitKrakenPair } from './kraken-assets.js';
import { parseImport } from './parse.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../../../../docs/samples/imports/${name}`, import.meta.url), 'utf8');
const trades = (text: string) => parseImport(text, 'kraken-trades');
const HEADER = 'txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers';
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

describe('Kraken trades: the sample', () => {
  const parsed = trades(sample('kraken-trades.csv'));

  it('imports each fiat-quoted fill with its txid', () => {
    const kraken = (fields: Record<string, string>) => ({ ...fields, source: 'kraken' });
    expect(parsed.candidates).toEqual([
      {
        row: 2,
        tx: kraken({
          type: 'BUY',
          symbol: 'BTC',
          quantity: '0.05000000',
          price: '42150.00000',
          fee: '3.37200',
          currency: 'USD',
          tradeDate: '2026-01-05',
          externalId: 'TZX2WP-XAYN4-ZBUU2K',
        }),
      },
      {
        row: 3,
        tx: kraken({
          type: 'BUY',
          symbol: 'ETH',
          quantity: '1.20000000',
          price: '2250.10',
          fee: '4.32019',
          currency: 'USD',
          tradeDate: '2026-01-06',
          externalId: 'TJKLXY-PGMNE-2JUQGF',
        }),
      },
      {
        row: 4,
        tx: kraken({
          type: 'BUY',
          symbol: 'SOL',
          quantity: '10.00000000',
          price: '98.450',
          fee: '1.57520',
          currency: 'USD',
          tradeDate: '2026-01-20',
          externalId: 'TQ4HMC-WZ7VK-EB2NXR',
        }),
      },
      {
        row: 5,
        tx: kraken({
          type: 'SELL',
          symbol: 'BTC',
          quantity: '0.02000000',
          price: '44800.00000',
          fee: '1.43360',
          currency: 'USD',
          tradeDate: '2026-02-01',
          externalId: 'TF8RZN-QJ3XE-M7VPKW',
        }),
      },
      {
        row: 7,
        tx: kraken({
          type: 'BUY',
          symbol: 'BTC',
          quantity: '0.01000000',
          price: '45010.1',
          fee: '0.72016',
          currency: 'USD',
          tradeDate: '2026-02-10',
          externalId: 'TM3WZV-8KQXN-RB6HPE',
        }),
      },
    ]);
  });

  it('rejects the crypto-quoted trade', () => {
    expect(parsed.rejected).toEqual([
      { row: 6, field: 'pair', reason: 'ETH/BTC is quoted in crypto, so it has no fiat leg: not imported' },
    ]);
    expect(parsed).toMatchObject({ format: 'kraken-trades', rowsRead: 6, skipped: 0 });
  });
});

describe('Kraken trades: rows', () => {
  it('rejects margin trades, unknown pairs, conversions, odd sides and bad volumes', () => {
    const parsed = trades(
      csv(
        'T1,O1,XXBTZUSD,2026-01-05 14:03:10,buy,limit,42150,2107.5,3.372,0.05,421.5,,',
        'T2,O2,FOOBAR,2026-01-05 14:03:10,buy,limit,1,1,0,1,0,,',
        'T3,O3,ZEURZUSD,2026-01-05 14:03:10,sell,limit,1.09,109,0.1,100,0,,',
        'T4,O4,XXBTZUSD,2026-01-05 14:03:10,short,limit,42150,2107.5,3.372,0.05,0,,',
        'T5,O5,XXBTZUSD,2026-01-05 14:03:10,buy,limit,42150,0,0,0,0,,',
        'T6,O6,ETHUSDT,2026-01-05 14:03:10,buy,limit,2250,2250,3.6,1,0,,',
        'T7,O7,XXBTZUSD,1767621790.1234,buy,limit,42150,2107.5,3.372,0.05,0,,',
      ),
    );
    expect(parsed.rejected).toEqual([
      { row: 2, field: 'margin', reason: 'margin trades are not imported' },
      { row: 3, field: 'pair', reason: 'pair "FOOBAR" does not end in a quote currency we know' },
      { row: 4, field: 'pair', reason: 'EUR/USD is a currency conversion: not imported' },
      { row: 5, field: 'type', reason: 'type "short" is neither buy nor sell' },
      { row: 6, field: 'vol', reason: 'vol must be greater than zero (got 0)' },
      { row: 7, field: 'pair', reason: 'ETH/USDT is quoted in crypto, so it has no fiat leg: not imported' },
    ]);
    // Old exports write Unix seconds.
    expect(parsed.candidates).toEqual([
      {
        row: 8,
        tx: {
          type: 'BUY',
          symbol: 'BTC',
          quantity: '0.05',
          price: '42150',
          fee: '3.372',
          currency: 'USD',
          tradeDate: '2026-01-05',
          externalId: 'T7',
          source: 'kraken',
        },
      },
    ]);
  });
});

describe('Kraken asset codes', () => {
  it.each([
    ['XXBTZUSD', 'BTC', 'USD'],
    ['XETHZEUR', 'ETH', 'EUR'],
    ['XXRPZGBP', 'XRP', 'GBP'],
    ['XLTCZJPY', 'LTC', 'JPY'],
    ['XXLMZCAD', 'XLM', 'CAD'],
    ['XDGUSD', 'DOGE', 'USD'],
    ['XBTUSD', 'BTC', 'USD'],
    ['XBTUSDT', 'BTC', 'USDT'],
    ['ETHUSDT', 'ETH', 'USDT'],
    ['ETHUSDC', 'ETH', 'USDC'],
    ['SOLUSD', 'SOL', 'USD'],
    ['DOTEUR', 'DOT', 'EUR'],
    ['XETHXXBT', 'ETH', 'BTC'],
    ['ETHXBT', 'ETH', 'BTC'],
    ['USDTZUSD', 'USDT', 'USD'],
    ['BTC/USD', 'BTC', 'USD'],
    ['xbt/eur', 'BTC', 'EUR'],
  ])('splits %s into %s/%s', (pair, base, quote) => {
    const split = splitKrakenPair(pair);
    expect([split?.base.code, split?.quote.code]).toEqual([base, quote]);
  });

  it('normalises legacy codes and marks fiat and staked balances', () => {
    expect(krakenAsset('XXBT')).toEqual({ code: 'BTC', fiat: false, staked: false });
    expect(krakenAsset('ZUSD')).toEqual({ code: 'USD', fiat: true, staked: false });
    expect(krakenAsset('CHF')).toEqual({ code: 'CHF', fiat: true, staked: false });
    expect(krakenAsset('XTZ')).toEqual({ code: 'XTZ', fiat: false, staked: false });
    expect(krakenAsset('XETH.S')).toEqual({ code: 'ETH.S', fiat: false, staked: true });
    expect(krakenAsset('USD.M')).toEqual({ code: 'USD.M', fiat: false, staked: true });
    expect(krakenAsset('ETH2')).toEqual({ code: 'ETH2', fiat: false, staked: true });
    expect(splitKrakenPair('USD')).toBeUndefined();
  });
});
