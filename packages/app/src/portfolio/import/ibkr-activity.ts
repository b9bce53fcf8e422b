import { type ColumnMap, cellOf, headerKey, mapColumns, requireColumns } from './columns.js';
import type { CsvTable } from './csv.js';
import { parseIbkrDate } from './dates.js';
import { absDecimal, isNegativeDecimal, isZeroDecimal } from './decimal-math.js';
import {
  IBKR_DEPOSIT_COLUMNS,
  IBKR_DIVIDEND_COLUMNS,
  IBKR_IMPORTED_ASSET_CATEGORIES,
  IBKR_SECTIONS,
  IBKR_TOTAL_LABEL,
  IBKR_TRADE_COLUMNS,
  type IbkrSection,
  ibkrSymbol,
} from './ibkr-names.js';
import { type DecimalSeparator, inferDecimalSeparator } from './numbers.js';
import {
  ImportCollector,
  RowProblem,
  readNumber,
  requireCurrency,
  requireDate,
  requireNumber,
  requirePositive,
  requireText,
} from './rows.js';
import { type CandidateTransaction, ImportFormatError, type ParsedImport } from './types.js';

type TradeColumn = keyof typeof IBKR_TRADE_COLUMNS;
type DividendColumn = keyof typeof IBKR_DIVIDEND_COLUMNS;
type DepositColumn = keyof typeof IBKR_DEPOSIT_COLUMNS;

const SECTION_BY_KEY = new Map<string, IbkrSection>(
  (Object.keys(IBKR_SECTIONS) as IbkrSection[]).flatMap((section) =>
    IBKR_SECTIONS[section].map((name) => [headerKey(name), section] as const),
  ),
);
const IMPORTED_CATEGORIES = new Set<string>(IBKR_IMPORTED_ASSET_CATEGORIES.map(headerKey));
const DATE_FORMAT = 'YYYY-MM-DD or "YYYY-MM-DD, HH:MM:SS"';

/** The columns each imported section cannot be read without (English names for the message). */
const REQUIRED = {
  trades: ['assetCategory', 'currency', 'symbol', 'dateTime', 'quantity', 'price'] as TradeColumn[],
  dividends: ['currency', 'date', 'description', 'amount'] as DividendColumn[],
  depositsWithdrawals: ['currency', 'settleDate', 'description', 'amount'] as DepositColumn[],
};

type SectionHeader =
  | { section: 'trades'; map: ColumnMap<TradeColumn> }
  | { section: 'dividends'; map: ColumnMap<DividendColumn> }
  | { section: 'depositsWithdrawals'; map: ColumnMap<DepositColumn> };

/** The first record of an Activity Statement: "<Section>,Header,…" ("Statement,Header,Field Name,Field Value"). */
export function looksLikeIbkrActivity(firstRecord: readonly string[]): boolean {
  return firstRecord.length >= 3 && firstRecord[0] !== '' && firstRecord[1].toLowerCase() === 'header';
}

/**
 * An IBKR Activity Statement: many sections in one file, each row "<Section>,<kind>,…" with kind
 * Header, Data, SubTotal, Total or Notes. A Data row is read by the most recent Header of its
 * section (a section may change its columns midway, as Trades does for Forex), by column name.
 * Imported: Trades (Order/Trade rows of stocks and crypto), Dividends, Deposits & Withdrawals.
 * Everything else — other sections, headers, totals, subtotals, notes, closed lots — is skipped.
 * Activity statements carry no broker id for a transaction, so candidates have no externalId.
 */
export function parseIbkrActivity(table: CsvTable): ParsedImport {
  if (!table.records.some((record) => looksLikeIbkrActivity(record.cells))) {
    throw new ImportFormatError(
      'UNRECOGNISED_FORMAT',
      'not an IBKR Activity Statement: it has no section header rows like "Trades,Header,…"',
    );
  }
  // IBKR writes 1,234.50 in every language we know of; the file's own numbers decide all the same.
  const decimal = inferDecimalSeparator(
    table.records.filter((record) => record.cells[1] === 'Data').flatMap((record) => record.cells.slice(2)),
    table.delimiter === ',' ? '.' : undefined,
  );
  const headers = new Map<string, SectionHeader>();
  const out = new ImportCollector('ibkr-activity');
  for (const { line, cells } of table.records) {
    out.read();
    const [sectionName = '', kind = '', ...rest] = cells;
    const section = SECTION_BY_KEY.get(headerKey(sectionName));
    const rowKind = kind.toLowerCase();
    if (section === undefined || (rowKind !== 'header' && rowKind !== 'data')) {
      out.skip();
      continue;
    }
    if (rowKind === 'header') {
      headers.set(sectionName, sectionHeader(section, rest, line, sectionName));
      out.skip();
      continue;
    }
    const header = headers.get(sectionName);
    if (header === undefined) {
      out.reject(line, { reason: `a ${sectionName} Data row comes before the section's Header row` });
      continue;
    }
    out.attempt(line, () => readDataRow(header, rest, decimal));
  }
  return out.finish();
}

function sectionHeader(section: IbkrSection, cells: string[], line: number, name: string): SectionHeader {
  const where = { line, what: `the ${name} header` };
  switch (section) {
    case 'trades': {
      const map = mapColumns(cells, IBKR_TRADE_COLUMNS, line);
      requireColumns(map, REQUIRED.trades, (key) => IBKR_TRADE_COLUMNS[key][0], where);
      return { section, map };
    }
    case 'dividends': {
      const map = mapColumns(cells, IBKR_DIVIDEND_COLUMNS, line);
      requireColumns(map, REQUIRED.dividends, (key) => IBKR_DIVIDEND_COLUMNS[key][0], where);
      return { section, map };
    }
    case 'depositsWithdrawals': {
      const map = mapColumns(cells, IBKR_DEPOSIT_COLUMNS, line);
      requireColumns(map, REQUIRED.depositsWithdrawals, (key) => IBKR_DEPOSIT_COLUMNS[key][0], where);
      return { section, map };
    }
  }
}

function readDataRow(
  header: SectionHeader,
  cells: string[],
  decimal?: DecimalSeparator,
): CandidateTransaction | 'skip' {
  // Currency subtotals are Data rows too: "Dividends,Data,Total,,,29.6", "…,Data,Total in USD,…".
  if (IBKR_TOTAL_LABEL.test(cells[0] ?? '') || IBKR_TOTAL_LABEL.test(cellOf(header.map, cells, 'currency'))) {
    return 'skip';
  }
  switch (header.section) {
    case 'trades':
      return readTrade(header.map, cells, decimal);
    case 'dividends':
      return readDividend(header.map, cells, decimal);
    case 'depositsWithdrawals':
      return readDeposit(header.map, cells, decimal);
  }
}

function readTrade(
  map: ColumnMap<TradeColumn>,
  cells: string[],
  decimal?: DecimalSeparator,
): CandidateTransaction | 'skip' {
  const name = (key: TradeColumn) => map.name[key] ?? IBKR_TRADE_COLUMNS[key][0];
  const cell = (key: TradeColumn) => cellOf(map, cells, key);
  const discriminator = cell('discriminator').toLowerCase();
  // A ClosedLot row repeats part of the closing Order with the lot's basis: not a transaction.
  if (discriminator === 'closedlot') return 'skip';
  if (map.index.discriminator !== undefined && discriminator !== 'order' && discriminator !== 'trade') {
    throw new RowProblem(
      `${name('discriminator')} "${cell('discriminator')}" is neither Order nor Trade`,
      name('discriminator'),
    );
  }
  const category = requireText(cell('assetCategory'), name('assetCategory'));
  if (!IMPORTED_CATEGORIES.has(headerKey(category))) {
    throw new RowProblem(
      `${category} trades are not imported: only stocks, ETFs and crypto are`,
      name('assetCategory'),
    );
  }
  const quantity = requireNumber(cell('quantity'), name('quantity'), decimal);
  if (isZeroDecimal(quantity)) requirePositive(quantity, name('quantity'));
  const price = requireNumber(cell('price'), name('price'), decimal);
  if (isNegativeDecimal(price)) throw new RowProblem(`${name('price')} is negative (${price})`, name('price'));
  const fee = readNumber(cell('fee'), name('fee'), decimal);
  if (fee !== undefined && !isZeroDecimal(fee) && !isNegativeDecimal(fee)) {
    throw new RowProblem(
      `${name('fee')} is a credit (${fee}), which a trade's fee cannot carry: record this trade by hand`,
      name('fee'),
    );
  }
  return {
    type: isNegativeDecimal(quantity) ? 'SELL' : 'BUY',
    symbol: ibkrSymbol(requireText(cell('symbol'), name('symbol'))),
    quantity: absDecimal(quantity),
    price,
    fee: fee === undefined ? undefined : absDecimal(fee),
    currency: requireCurrency(cell('currency'), name('currency')),
    tradeDate: requireDate(cell('dateTime'), name('dateTime'), parseIbkrDate, DATE_FORMAT),
    source: 'ibkr',
  };
}

/** "AAPL(US0378331005) Cash Dividend USD 0.24 per Share (Ordinary Dividend)" → AAPL (also "BRK B (US…)"). */
const DIVIDEND_SYMBOL = /^(.+?)\s*\([A-Z]{2}[A-Z0-9]{9}\d\)/;

function readDividend(
  map: ColumnMap<DividendColumn>,
  cells: string[],
  decimal?: DecimalSeparator,
): CandidateTransaction {
  const name = (key: DividendColumn) => map.name[key] ?? IBKR_DIVIDEND_COLUMNS[key][0];
  const cell = (key: DividendColumn) => cellOf(map, cells, key);
  const description = requireText(cell('description'), name('description'));
  const amount = requireNumber(cell('amount'), name('amount'), decimal);
  if (isNegativeDecimal(amount)) {
    throw new RowProblem(
      `a negative dividend (${amount}) corrects an earlier payment: it is not imported; ` +
        'reverse the dividend it corrects in the ledger instead',
      name('amount'),
    );
  }
  requirePositive(amount, name('amount'));
  const symbol = DIVIDEND_SYMBOL.exec(description)?.[1];
  if (symbol === undefined) {
    throw new RowProblem(
      `no symbol found in the ${name('description')} (expected "SYMBOL(ISIN) …")`,
      name('description'),
    );
  }
  return {
    type: 'DIVIDEND',
    symbol: ibkrSymbol(symbol),
    amount,
    currency: requireCurrency(cell('currency'), name('currency')),
    tradeDate: requireDate(cell('date'), name('date'), parseIbkrDate, DATE_FORMAT),
    note: description,
    source: 'ibkr',
  };
}

function readDeposit(map: ColumnMap<DepositColumn>, cells: string[], decimal?: DecimalSeparator): CandidateTransaction {
  const name = (key: DepositColumn) => map.name[key] ?? IBKR_DEPOSIT_COLUMNS[key][0];
  const cell = (key: DepositColumn) => cellOf(map, cells, key);
  const amount = requireNumber(cell('amount'), name('amount'), decimal);
  if (isZeroDecimal(amount)) requirePositive(amount, name('amount'));
  const settleDate = requireDate(cell('settleDate'), name('settleDate'), parseIbkrDate, DATE_FORMAT);
  return {
    type: isNegativeDecimal(amount) ? 'WITHDRAWAL' : 'DEPOSIT',
    amount: absDecimal(amount),
    currency: requireCurrency(cell('currency'), name('currency')),
    tradeDate: settleDate,
    settleDate,
    note: cell('description'),
    source: 'ibkr',
  };
}
