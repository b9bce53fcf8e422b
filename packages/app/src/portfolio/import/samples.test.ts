import { DECIMAL_RE } from '@ballast/core/decimal-grammar.js';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { transactionBody } from '../ledger-schemas.js';
import { parseImport } from './parse.js';

// Checks every sample against what the import service will do with it: each candidate must pass
// the POST /transactions schema, and every record must be accounted for exactly once.
const DIR = new URL('../../../../../docs/samples/imports/', import.meta.url);
const samples = readdirSync(DIR).filter((name) => name.endsWith('.csv'));
const DECIMAL_FIELDS = ['quantity', 'price', 'fee', 'amount', 'fxRate'] as const;

describe('docs/samples/imports', () => {
  it('holds the seven samples the README describes', () => {
    const readme = readFileSync(new URL('README.md', DIR), 'utf8');
    expect(samples.sort()).toEqual([
      'generic-bad-row.csv',
      'generic.csv',
      'ibkr-activity-de.csv',
      'ibkr-activity.csv',
      'ibkr-flex.csv',
      'kraken-ledger.csv',
      'kraken-trades.csv',
    ]);
    for (const name of samples) expect(readme, name).toContain(`\`${name}\``);
  });

  it.each(samples)('%s: every candidate passes the transaction schema, with positive plain decimals', (name) => {
    const parsed = parseImport(readFileSync(new URL(name, DIR), 'utf8'), 'auto');
    expect(parsed.candidates.length).toBeGreaterThan(0);
    for (const { row, tx } of parsed.candidates) {
      const checked = transactionBody().safeParse(tx);
      expect(checked.success ? [] : checked.error.issues, `${name} line ${row}`).toEqual([]);
      for (const field of DECIMAL_FIELDS) {
        const value = tx[field];
        if (value !== undefined) expect(value, `${name} line ${row} ${field}`).toMatch(DECIMAL_RE);
        if (value !== undefined) expect(value.startsWith('-'), `${name} line ${row} ${field}`).toBe(false);
      }
    }
  });

  it.each(samples)('%s: rows are accounted for once, in line order, one candidate a line', (name) => {
    const parsed = parseImport(readFileSync(new URL(name, DIR), 'utf8'), 'auto');
    const pairs =
      name === 'kraken-ledger.csv' ? parsed.candidates.filter((c) => ['BUY', 'SELL'].includes(c.tx.type)) : [];
    expect(parsed.rowsRead).toBe(parsed.candidates.length + pairs.length + parsed.rejected.length + parsed.skipped);
    const rows = [...parsed.candidates, ...parsed.rejected].map((entry) => entry.row);
    expect(new Set(rows).size).toBe(rows.length);
    expect(parsed.candidates.map((candidate) => candidate.row)).toEqual(
      [...parsed.candidates.map((candidate) => candidate.row)].sort((a, b) => a - b),
    );
  });
});
