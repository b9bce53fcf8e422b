import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect.js';
import { parseImport } from './parse.js';
import { type ImportFormat, ImportFormatError } from './types.js';

const sample = (name: string) =>
  readFileSync(new URL(`../../../../../docs/samples/imports/${name}`, import.meta.url), 'utf8');

const SAMPLES: [string, ImportFormat][] = [
  ['generic.csv', 'generic'],
  ['generic-bad-row.csv', 'generic'],
  ['ibkr-activity.csv', 'ibkr-activity'],
  ['ibkr-activity-de.csv', 'ibkr-activity'],
  ['ibkr-flex.csv', 'ibkr-flex'],
  ['kraken-ledger.csv', 'kraken-ledger'],
  ['kraken-trades.csv', 'kraken-trades'],
];

describe('detectFormat', () => {
  it.each(SAMPLES)('recognises %s as %s, and auto parses it as that format does', (file, format) => {
    const text = sample(file);
    expect(detectFormat(text)).toBe(format);
    expect(parseImport(text, 'auto')).toEqual(parseImport(text, format));
  });

  it.each([
    ['Trades,Header,DataDiscriminator,Asset Category', 'ibkr-activity'],
    ['"BOF","U1234567","Trades"', 'ibkr-flex'],
    ['"HEADER","TRNT","Symbol","TradeID"', 'ibkr-flex'],
    ['Symbol,Quantity,IBCommission', 'ibkr-flex'],
    ['"txid","refid","time","type","asset","amount"', 'kraken-ledger'],
    ['txid,ordertxid,pair,time', 'kraken-trades'],
    ['Trade Date,TYPE,Symbol', 'generic'],
    ['type,symbol,quantity', 'generic'],
  ] as const)('reads %j as %s', (header, format) => {
    expect(detectFormat(`\n,,\n${header}\n`)).toBe(format);
  });

  it('recognises a generic file that lacks tradeDate, so that parsing names the missing column', () => {
    expect(() => parseImport('type,symbol,quantity\nBUY,AAPL,1\n', 'auto')).toThrow(
      expect.objectContaining({ code: 'MISSING_COLUMNS', details: { missing: ['tradeDate'], row: 1 } }),
    );
  });

  it('throws UNRECOGNISED_FORMAT for anything else', () => {
    for (const text of ['', '\uFEFF', 'Date,Description,Debit,Credit\n2026-01-01,Coffee,3.50,\n', 'hello\n']) {
      expect(() => detectFormat(text)).toThrow(ImportFormatError);
      expect(() => parseImport(text, 'auto')).toThrow(expect.objectContaining({ code: 'UNRECOGNISED_FORMAT' }));
    }
  });

  it('refuses a format it does not know', () => {
    expect(() => parseImport('type,tradeDate\n', 'csv' as ImportFormat)).toThrow(
      expect.objectContaining({ code: 'UNRECOGNISED_FORMAT', message: expect.stringContaining('ibkr-flex') }),
    );
  });
});
