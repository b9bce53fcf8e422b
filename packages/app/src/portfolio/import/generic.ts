import { type ColumnMap, cellOf, mapColumns, requireColumns } from './columns.js';
import { type CsvTable, splitHeader } from './csv.js';
import { parseIsoDate } from './dates.js';
import { absDecimal, isNegativeDecimal, isZeroDecimal } from './decimal-math.js';
import { type DecimalSeparator, inferDecimalSeparator, normaliseNumber } from './numbers.js';
import { ImportCollector, RowProblem, readCurrency, readNumber, requireDate, requireText } from './rows.js';
import { type CandidateTransaction, type ParsedImport, TRANSACTION_TYPES } from './types.js';

/** The generic format's columns: the transaction's own field names, in any order, case and spacing. */
export const GENERIC_FIELDS = [
  'type',
  'symbol',
  'quantity',
  'price',
  'fee',
  'amount',
  'ratio',
  'currency',
  'fxRate',
  'tradeDate',
  'settleDate',
  'externalId',
  'note',
] as const;
type GenericField = (typeof GENERIC_FIELDS)[number];

/** Each field answers to its own name only; `headerKey` makes "Trade Date" and "trade_date" that name. */
const ALIASES: Readonly<Record<GenericField, readonly string[]>> = Object.fromEntries(
  GENERIC_FIELDS.map((field) => [field, [field]]),
) as unknown as Record<GenericField, readonly string[]>;
const REQUIRED_COLUMNS: readonly GenericField[] = ['type', 'tradeDate'];
const NUMERIC_FIELDS = ['quantity', 'price', 'fee', 'amount', 'fxRate'] as const;
type NumericField = (typeof NUMERIC_FIELDS)[number];

/**
 * What each type cannot do without, as the ledger has it; other fields are passed on when given,
 * for the ledger's schema to judge. Transfers move securities or cash and are checked apart.
 */
const NEEDS: Record<string, readonly GenericField[]> = {
  BUY: ['symbol', 'quantity', 'price'],
  SELL: ['symbol', 'quantity', 'price'],
  DIVIDEND: ['amount'],
  INTEREST: ['amount'],
  FEE: ['amount'],
  DEPOSIT: ['amount'],
  WITHDRAWAL: ['amount'],
  SPLIT: ['symbol', 'ratio'],
  TRANSFER_IN: [],
  TRANSFER_OUT: [],
};

// Exports often sign the outflow; where the sign agrees with the type it is dropped, elsewhere
// (a negative BUY quantity, a negative DEPOSIT) it contradicts the type and the row is refused.
const SIGNED_QUANTITY = new Set(['SELL', 'TRANSFER_OUT']);
const SIGNED_AMOUNT = new Set(['WITHDRAWAL', 'FEE', 'TRANSFER_OUT']);
/** Fields that must be above zero when given (a price or fee may be zero). */
const POSITIVE = new Set<NumericField>(['quantity', 'amount', 'fxRate']);

/** The first record's cells look like a generic header: enough of the field names to be meant as one. */
export function looksGeneric(header: readonly string[]): boolean {
  const map = mapColumns(header, ALIASES, 0);
  const found = GENERIC_FIELDS.filter((field) => map.index[field] !== undefined);
  return found.length >= 2 && (map.index.type !== undefined || map.index.tradeDate !== undefined);
}

/**
 * The generic format: a header row of transaction field names (any order; "Trade Date",
 * "trade_date" and "TRADEDATE" are all tradeDate; unknown columns are ignored; type and tradeDate
 * are required), then one transaction a row. Numbers may carry grouping; which of '.'/',' is the
 * decimal separator is inferred from the file's numbers (a ';'-delimited file with nothing to say
 * is taken as comma-decimal). Dates are YYYY-MM-DD or ISO date-times (the date is kept). Symbols
 * and currencies are upper-cased; a ratio is "new:old" ("2:1"), also written "2 for 1", "2/1" or
 * just "2" (= "2:1").
 */
export function parseGeneric(table: CsvTable): ParsedImport {
  const { header, rows } = splitHeader(table);
  const map = mapColumns(header.cells, ALIASES, header.line);
  requireColumns(map, REQUIRED_COLUMNS, (field) => field, { line: header.line, what: 'the header row' });

  const fallback = table.delimiter === ';' ? ',' : table.delimiter === ',' ? '.' : undefined;
  const decimal = inferDecimalSeparator(
    rows.flatMap((record) => NUMERIC_FIELDS.map((field) => cellOf(map, record.cells, field))),
    fallback,
  );
  const out = new ImportCollector('generic');
  for (const record of rows) {
    out.read();
    out.attempt(record.line, () => readGenericRow(map, record.cells, decimal));
  }
  return out.finish();
}

function readGenericRow(
  map: ColumnMap<GenericField>,
  cells: readonly string[],
  decimal: DecimalSeparator | undefined,
): CandidateTransaction {
  const name = (field: GenericField) => map.name[field] ?? field;
  const cell = (field: GenericField) => cellOf(map, cells, field);

  const type = readType(cell('type'), name('type'));
  const tx: CandidateTransaction = {
    type,
    tradeDate: requireDate(cell('tradeDate'), name('tradeDate'), parseIsoDate, 'YYYY-MM-DD'),
    source: 'csv',
  };
  if (cell('settleDate') !== '') {
    tx.settleDate = requireDate(cell('settleDate'), name('settleDate'), parseIsoDate, 'YYYY-MM-DD');
  }
  if (cell('symbol') !== '') tx.symbol = cell('symbol').toUpperCase();
  if (cell('externalId') !== '') tx.externalId = cell('externalId');
  if (cell('note') !== '') tx.note = cell('note');
  tx.currency = readCurrency(cell('currency'), name('currency'));
  for (const field of NUMERIC_FIELDS) {
    const value = readNumber(cell(field), name(field), decimal);
    if (value !== undefined) tx[field] = signed(type, field, value, name(field));
  }
  tx.ratio = readRatio(cell('ratio'), name('ratio'), decimal);

  for (const field of NEEDS[type]) {
    if (tx[field] === undefined) throw new RowProblem(`${name(field)} is empty: a ${type} needs it`, name(field));
  }
  if (
    type.startsWith('TRANSFER') &&
    tx.amount === undefined &&
    (tx.symbol === undefined || tx.quantity === undefined)
  ) {
    throw new RowProblem(
      `a ${type} needs symbol, quantity and price (securities) or amount (cash)`,
      name(tx.symbol === undefined ? 'symbol' : 'quantity'),
    );
  }
  return tx;
}

function readType(raw: string, field: string): string {
  const type = requireText(raw, field)
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  if ((TRANSACTION_TYPES as readonly string[]).includes(type)) return type;
  throw new RowProblem(`${field} "${raw}" is not one of ${TRANSACTION_TYPES.join(', ')}`, field);
}

/** The value as the positive figure the ledger takes, or a RowProblem when its sign contradicts the type. */
function signed(type: string, field: NumericField, value: string, column: string): string {
  if (isNegativeDecimal(value)) {
    const agrees =
      field === 'fee' ||
      (field === 'quantity' && SIGNED_QUANTITY.has(type)) ||
      (field === 'amount' && SIGNED_AMOUNT.has(type));
    if (!agrees) {
      throw new RowProblem(
        `${column} is negative (${value}): the type carries the direction, so write a positive ${field} ` +
          `(or use another type than ${type})`,
        column,
      );
    }
    return absDecimal(value);
  }
  if (isZeroDecimal(value) && POSITIVE.has(field)) {
    throw new RowProblem(`${column} must be greater than zero (got ${value})`, column);
  }
  return value;
}

const RATIO_SEPARATOR = /\s*(?::|\/|-for-|\s+for\s+)\s*/i;

/** "2:1", "2 for 1", "2-for-1", "2/1" → "2:1"; a lone "2" is "2:1". */
function readRatio(raw: string, column: string, decimal: DecimalSeparator | undefined): string | undefined {
  if (raw === '') return undefined;
  const parts = raw.split(RATIO_SEPARATOR).map((part) => normaliseNumber(part, decimal));
  const [shares, per = '1'] = parts;
  const valid = (part: string | undefined) => part !== undefined && !isNegativeDecimal(part) && !isZeroDecimal(part);
  if (parts.length > 2 || !valid(shares) || !valid(per)) {
    throw new RowProblem(`${column} "${raw}" is not a split ratio: write new:old, e.g. 2:1 or 1:10`, column);
  }
  return `${shares}:${per}`;
}
