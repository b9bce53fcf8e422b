import { describe, expect, it } from 'vitest';
import { transactionBody } from '../ledger-schemas.js';
import { generateGenericCsv } from './generate.js';
import { parseImport } from './parse.js';
import type { CandidateRow } from './types.js';

/** Exact cents of a two-place decimal string. */
const cents = (value: string | undefined) => (value === undefined ? 0n : BigInt(value.replace('.', '')));

/** Replays the candidates the way a ledger would, returning the lowest cash and holding seen. */
function replay(candidates: CandidateRow[]) {
  let cash = 0n;
  let lowestCash = 0n;
  let lowestHolding = 0n;
  const holdings = new Map<string, bigint>();
  for (const { tx } of candidates) {
    const quantity = BigInt(tx.quantity ?? '0');
    const held = holdings.get(tx.symbol ?? '') ?? 0n;
    switch (tx.type) {
      case 'DEPOSIT':
      case 'DIVIDEND':
        cash += cents(tx.amount);
        break;
      case 'FEE':
        cash -= cents(tx.amount);
        break;
      case 'BUY':
        cash -= quantity * cents(tx.price) + cents(tx.fee);
        holdings.set(tx.symbol ?? '', held + quantity);
        break;
      case 'SELL':
        cash += quantity * cents(tx.price) - cents(tx.fee);
        holdings.set(tx.symbol ?? '', held - quantity);
        if (held - quantity < lowestHolding) lowestHolding = held - quantity;
        break;
      default:
        throw new Error(`unexpected ${tx.type}`);
    }
    if (tx.type === 'DIVIDEND' && held <= 0n) throw new Error(`dividend on ${tx.symbol}, which is not held`);
    if (cash < lowestCash) lowestCash = cash;
  }
  return { lowestCash, lowestHolding, symbols: holdings.size };
}

describe('generateGenericCsv', () => {
  it('is deterministic: one seed, one file', () => {
    expect(generateGenericCsv(500, { seed: 7 })).toBe(generateGenericCsv(500, { seed: 7 }));
    expect(generateGenericCsv(500, { seed: 7 })).not.toBe(generateGenericCsv(500, { seed: 8 }));
  });

  it('writes exactly the rows asked for, from the start date on, weekdays only after it', () => {
    const parsed = parseImport(generateGenericCsv(300, { startDate: '2026-03-02', symbols: 3 }), 'auto');
    expect(parsed).toMatchObject({ format: 'generic', rowsRead: 300, rejected: [], skipped: 0 });
    expect(parsed.candidates[0].tx).toMatchObject({ type: 'DEPOSIT', tradeDate: '2026-03-02' });
    const dates = parsed.candidates.map((candidate) => candidate.tx.tradeDate ?? '');
    expect([...dates].sort()).toEqual(dates);
    expect(dates.every((date) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay()))).toBe(true);
    expect(new Set(parsed.candidates.flatMap((candidate) => candidate.tx.symbol ?? [])).size).toBeLessThanOrEqual(3);
    expect(generateGenericCsv(0)).toBe('type,tradeDate,symbol,quantity,price,fee,amount,currency,externalId,note\n');
  });

  it('is self-consistent: cash never goes below zero, no sale exceeds the holding, dividends only on holdings', () => {
    for (const seed of [1, 2, 3, 42]) {
      const parsed = parseImport(generateGenericCsv(2_000, { seed, symbols: 5 }), 'generic');
      expect(parsed.rejected).toEqual([]);
      const { lowestCash, lowestHolding } = replay(parsed.candidates);
      expect(lowestCash).toBeGreaterThanOrEqual(0n);
      expect(lowestHolding).toBeGreaterThanOrEqual(0n);
      const types = new Set(parsed.candidates.map((candidate) => candidate.tx.type));
      expect([...types].sort()).toEqual(['BUY', 'DEPOSIT', 'DIVIDEND', 'FEE', 'SELL']);
    }
  });

  it('parses 10,000 rows into candidates the transaction schema accepts', () => {
    const text = generateGenericCsv(10_000, { seed: 2026 });
    const started = performance.now();
    const parsed = parseImport(text, 'auto');
    const elapsed = performance.now() - started;
    expect(parsed.candidates).toHaveLength(10_000);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.candidates.every(({ tx }) => transactionBody().safeParse(tx).success)).toBe(true);
    expect(parsed.candidates.at(-1)?.row).toBe(10_001);
    // A guard against accidental quadratic work, far above the ~0.3 s it takes on a busy two-core machine.
    expect(elapsed).toBeLessThan(10_000);
  });

  it('refuses options it cannot honour', () => {
    expect(() => generateGenericCsv(-1)).toThrow(RangeError);
    expect(() => generateGenericCsv(1.5)).toThrow(RangeError);
    expect(() => generateGenericCsv(10, { symbols: 0 })).toThrow(RangeError);
    expect(() => generateGenericCsv(10, { startDate: '2026-02-30' })).toThrow(RangeError);
    expect(() => generateGenericCsv(10, { startDate: '02/01/2026' })).toThrow(RangeError);
  });
});
