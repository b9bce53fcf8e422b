import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERIC_FIELDS } from './generic.js';
import { parseImport } from './parse.js';
import type { CandidateTransaction } from './types.js';

// Property: any valid generic candidate, written the ways people and spreadsheets write CSV —
// any column order and header spelling, quoting when needed or always, thousands separators,
// comma decimals in ;-files, signs the type already implies, CRLF or LF, a BOM, blank lines,
// trailing empty columns, notes with delimiters, quotes and line breaks — reads back as itself,
// on the line where its row starts.

type Field = (typeof GENERIC_FIELDS)[number];
type Candidate = Omit<CandidateTransaction, 'source'>;

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
const decimal = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.option(digits(1, 6), { nil: undefined }))
  .map(([integer, fraction]) => (fraction === undefined ? `${integer}` : `${integer}.${fraction}`));
const positive = decimal.filter((value) => /[1-9]/.test(value));
const day = fc
  .integer({ min: 0, max: 365 * 80 })
  .map((offset) => new Date(Date.UTC(2000, 0, 1 + offset)).toISOString().slice(0, 10));
const symbol = fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}(?:\.[A-Z])?$/);
const noteChar = fc.constantFrom('a', 'Z', 'é', '1', ' ', ',', ';', '"', "'", '\n', '(', '€');
const note = fc
  .array(noteChar, { minLength: 1, maxLength: 24 })
  .map((chars) => chars.join(''))
  .filter((text) => text.trim() === text && text !== '');
const common = {
  tradeDate: day,
  settleDate: day,
  currency: fc.stringMatching(/^[A-Z]{3}$/),
  note,
  externalId: fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/),
  fxRate: positive,
};
const shape = <T extends Record<string, fc.Arbitrary<string>>>(type: string, fields: T, required: (keyof T)[]) =>
  fc
    .record({ ...common, ...fields }, { requiredKeys: ['tradeDate', ...required] as never })
    .map((record): Candidate => ({ type, ...record }) as Candidate);

const candidate: fc.Arbitrary<Candidate> = fc.oneof(
  ...(['BUY', 'SELL'] as const).map((type) =>
    shape(type, { symbol, quantity: positive, price: decimal, fee: decimal }, ['symbol', 'quantity', 'price']),
  ),
  shape('DIVIDEND', { amount: positive, symbol }, ['amount']),
  ...(['INTEREST', 'FEE', 'DEPOSIT', 'WITHDRAWAL'] as const).map((type) =>
    shape(type, { amount: positive }, ['amount']),
  ),
  shape('SPLIT', { symbol, ratio: fc.tuple(positive, positive).map(([shares, per]) => `${shares}:${per}`) }, [
    'symbol',
    'ratio',
  ]),
  ...(['TRANSFER_IN', 'TRANSFER_OUT'] as const).flatMap((type) => [
    shape(type, { symbol, quantity: positive, price: decimal }, ['symbol', 'quantity', 'price']),
    shape(type, { amount: positive }, ['amount']),
  ]),
);

/** How a file writes things: one choice per file, and a seed of per-cell choices. */
const style = fc.record({
  delimiter: fc.constantFrom(',', ';'),
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  columns: fc.shuffledSubarray([...GENERIC_FIELDS], { minLength: GENERIC_FIELDS.length }),
  extraColumn: fc.boolean(),
  quoteAll: fc.boolean(),
  cellChoices: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
});

type FileStyle = typeof style extends fc.Arbitrary<infer T> ? T : never;

const HEADER_SPELLINGS = (field: Field): string[] => {
  const words = field
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase()
    .split(' ');
  const title = words.map((word) => word[0].toUpperCase() + word.slice(1)).join(' ');
  return [field, title, words.join('_'), field.toUpperCase(), ` ${title} `];
};
const TYPE_SPELLINGS = (type: string): string[] => [
  type,
  type.toLowerCase(),
  type.toLowerCase().replace('_', ' '),
  type.replace('_', '-'),
];

function writeFile(rows: Candidate[], blanks: number[], file: FileStyle) {
  const { delimiter, eol } = file;
  const decimalMark = delimiter === ';' ? ',' : '.';
  const groupMark = delimiter === ';' ? '.' : ',';
  let choice = 0;
  const pick = <T>(options: T[]): T => options[file.cellChoices[choice++ % file.cellChoices.length] % options.length];
  const quote = (cell: string) => {
    const needs = cell.includes(delimiter) || /["\n\r]/.test(cell) || cell.trim() !== cell;
    return needs || (file.quoteAll && pick([true, false])) ? `"${cell.replaceAll('"', '""')}"` : cell;
  };
  const number = (value: string, signed: boolean) => {
    const [integer, fraction] = value.split('.');
    const grouped = pick([false, true]) ? integer.replace(/\B(?=(\d{3})+(?!\d))/g, groupMark) : integer;
    const written = fraction === undefined ? grouped : `${grouped}${decimalMark}${fraction}`;
    return signed ? pick([written, `-${written}`, `(${written})`]) : written;
  };
  const cell = (row: Candidate, field: Field): string => {
    const value = row[field];
    if (value === undefined) return '';
    switch (field) {
      case 'type':
        return pick(TYPE_SPELLINGS(value));
      case 'quantity':
        return number(value, row.type === 'SELL' || row.type === 'TRANSFER_OUT');
      case 'amount':
        return number(value, ['WITHDRAWAL', 'FEE', 'TRANSFER_OUT'].includes(row.type));
      case 'fee':
        return number(value, true);
      case 'price':
      case 'fxRate':
        return number(value, false);
      case 'ratio':
        return value
          .split(':')
          .map((part) => number(part, false))
          .join(pick([':', ' for ', '/']));
      default:
        return value;
    }
  };
  const header = file.columns.map((field) => quote(pick(HEADER_SPELLINGS(field))));
  const lines = [
    (file.bom ? '\uFEFF' : '') + [...header, ...(file.extraColumn ? ['Broker memo'] : [])].join(delimiter),
  ];
  let line = 1;
  const expected: { row: number; tx: CandidateTransaction }[] = [];
  rows.forEach((row, index) => {
    for (let blank = 0; blank < (blanks[index] ?? 0); blank++) {
      lines.push(pick(['', delimiter.repeat(3)]));
      line++;
    }
    const cells = file.columns.map((field) => quote(cell(row, field)));
    if (file.extraColumn) cells.push(quote(pick(['', 'x', 'memo, with comma'])));
    const text = cells.join(delimiter) + pick(['', delimiter, delimiter.repeat(2)]);
    lines.push(text);
    line++;
    expected.push({ row: line, tx: { ...row, source: 'csv' } });
    line += (text.match(/\n/g) ?? []).length;
  });
  return { text: lines.join(eol) + pick([eol, '']), expected };
}

describe('generic CSV round trip (property)', () => {
  it('reads every written candidate back as itself, on its line', () => {
    fc.assert(
      fc.property(
        fc.array(candidate, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat({ max: 2 }), { maxLength: 12 }),
        style,
        (rows, blanks, file) => {
          const { text, expected } = writeFile(rows, blanks, file);
          const parsed = parseImport(text, 'auto');
          expect(parsed.rejected).toEqual([]);
          expect(parsed.candidates).toEqual(expected);
          expect(parsed).toMatchObject({ format: 'generic', rowsRead: rows.length, skipped: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
