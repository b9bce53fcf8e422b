import { type ColumnMap, cellOf, headerKey, mapColumns, requireColumns } from './columns.js';
import type { CsvRecord, CsvTable } from './csv.js';
import { parseIbkrDate } from './dates.js';
import { absDecimal, isNegativeDecimal, isZeroDecimal } from './decimal-math.js';
import {
  ImportCollector,
  RowProblem,
  readCurrency,
  readNumber,
  requireCurrency,
  requireDate,
  requireNumber,
  requirePositive,
  requireText,
} from './rows.js';
import { ibkrSymbol } from './ibkr-names.js';
import { type CandidateTransaction, ImportFormatError, type ParsedImport } from './types.js';

/** The Flex fields we read (Flex headers are field names; the user picks which and in what order). */
export const FLEX_COLUMNS = {
  tradeDate: ['TradeDate'],
  dateTime: ['DateTime'],
  buySell: ['Buy/Sell'],
  assetClass: ['AssetClass'],
  symbol: ['Symbol'],
  quantity: ['Quantity'],
  price: ['TradePrice'],
  commission: ['IBCommission'],
  commissionCurrency: ['IBCommissionCurrency'],
  currency: ['CurrencyPrimary'],
  fxRate: ['FXRateToBase'],
  tradeId: ['TradeID'],
  settleDate: ['SettleDateTarget'],
  levelOfDetail: ['LevelOfDetail'],
  codes: ['Notes/Codes'],
} as const;
type FlexColumn = keyof typeof FLEX_COLUMNS;

const REQUIRED: FlexColumn[] = ['assetClass', 'symbol', 'quantity', 'price', 'currency'];
const IMPORTED_ASSET_CLASSES = new Set(['STK', 'CRYPTO']);
/** Flex's "Include header and trailer records" lines, and its "section code and line descriptor" prefixes. */
const MARKERS = new Set(['BOF', 'BOA', 'BOS', 'EOS', 'EOA', 'EOF']);
const KNOWN_FIELDS = new Set(Object.values(FLEX_COLUMNS).flatMap((names) => names.map(headerKey)));
const DATE_FORMAT = 'yyyyMMdd or yyyy-MM-dd (set it in the Flex query’s date format)';

/** The first record of a Flex trades export: field names including TradeID or IBCommission, or a BOF/HEADER line. */
export function looksLikeIbkrFlex(firstRecord: readonly string[]): boolean {
  const first = firstRecord[0]?.toUpperCase();
  if (first === 'BOF' || first === 'HEADER') return true;
  const keys = new Set(firstRecord.map(headerKey));
  return keys.has('tradeid') || keys.has('ibcommission');
}

interface FlexLine {
  line: number;
  kind: 'marker' | 'header' | 'data';
  cells: string[];
}

/** A record's role, with the "HEADER"/"DATA" descriptor and section code taken off. */
function classify(record: CsvRecord): FlexLine {
  const first = record.cells[0]?.toUpperCase() ?? '';
  if (MARKERS.has(first)) return { line: record.line, kind: 'marker', cells: record.cells };
  if (first === 'HEADER') return { line: record.line, kind: 'header', cells: record.cells.slice(2) };
  if (first === 'DATA') return { line: record.line, kind: 'data', cells: record.cells.slice(2) };
  // Without descriptors a header is told by its cells: a data row never holds three field names.
  const named = record.cells.filter((cell) => KNOWN_FIELDS.has(headerKey(cell))).length;
  return { line: record.line, kind: named >= 3 ? 'header' : 'data', cells: record.cells };
}

/**
 * An IBKR Flex Query trades export. Its header repeats mid-file (one block per account or
 * section) and, with descriptors on, lines carry HEADER/DATA prefixes and BOF/BOS/EOS/EOF
 * markers: each data row is read by the header above it, and a header without the trade columns
 * starts a section we do not import. With a LevelOfDetail column, EXECUTION rows are the trades
 * (ORDER rows only when the file has no executions; lots and summaries are skipped).
 * TradeID becomes the externalId, FXRateToBase (when chosen) the fxRate.
 */
export function parseIbkrFlex(table: CsvTable): ParsedImport {
  const lines = table.records.map(classify);
  const firstHeader = lines.find((line) => line.kind === 'header');
  if (firstHeader === undefined) {
    throw new ImportFormatError('UNRECOGNISED_FORMAT', 'no Flex header row (field names like Symbol, TradeID)');
  }
  const tradeHeader = (line: FlexLine) => {
    const map = mapColumns(line.cells, FLEX_COLUMNS, line.line);
    const usable =
      REQUIRED.every((key) => map.index[key] !== undefined) &&
      (map.index.tradeDate !== undefined || map.index.dateTime !== undefined);
    return { map, usable };
  };
  if (!lines.some((line) => line.kind === 'header' && tradeHeader(line).usable)) {
    const { map } = tradeHeader(firstHeader);
    const required: FlexColumn[] = map.index.dateTime === undefined ? [...REQUIRED, 'tradeDate'] : REQUIRED;
    requireColumns(map, required, (key) => FLEX_COLUMNS[key][0], { line: firstHeader.line, what: 'the Flex header' });
  }

  // Each data line with the header it is read by (undefined: a section we do not import).
  const rows: { line: FlexLine; map?: ColumnMap<FlexColumn> }[] = [];
  let current: ColumnMap<FlexColumn> | undefined;
  for (const line of lines) {
    if (line.kind === 'header') {
      const header = tradeHeader(line);
      current = header.usable ? header.map : undefined;
    }
    rows.push({ line, map: line.kind === 'data' ? current : undefined });
  }
  const hasExecutions = rows.some(
    ({ line, map }) => map !== undefined && cellOf(map, line.cells, 'levelOfDetail').toUpperCase() === 'EXECUTION',
  );

  const out = new ImportCollector('ibkr-flex');
  for (const { line, map } of rows) {
    if (line === firstHeader) continue; // the file's header, not a record
    out.read();
    // Markers, repeated headers and the rows of sections we do not import have no trade header.
    if (map === undefined) out.skip();
    else out.attempt(line.line, () => readFlexTrade(map, line.cells, hasExecutions));
  }
  return out.finish();
}

function readFlexTrade(
  map: ColumnMap<FlexColumn>,
  cells: string[],
  hasExecutions: boolean,
): CandidateTransaction | 'skip' {
  const name = (key: FlexColumn) => map.name[key] ?? FLEX_COLUMNS[key][0];
  const cell = (key: FlexColumn) => cellOf(map, cells, key);
  const level = cell('levelOfDetail').toUpperCase();
  if (level !== '' && level !== 'EXECUTION' && !(level === 'ORDER' && !hasExecutions)) return 'skip';

  const assetClass = requireText(cell('assetClass'), name('assetClass')).toUpperCase();
  if (!IMPORTED_ASSET_CLASSES.has(assetClass)) {
    throw new RowProblem(
      `${assetClass} trades are not imported: only stocks (STK) and crypto (CRYPTO) are`,
      name('assetClass'),
    );
  }
  const side = cell('buySell').toUpperCase();
  const codes = cell('codes')
    .split(';')
    .map((code) => code.trim());
  if (side.includes('(CA.)') || codes.includes('Ca')) {
    throw new RowProblem('a cancelled trade (code Ca) is not imported', name(side ? 'buySell' : 'codes'));
  }
  if (side !== '' && side !== 'BUY' && side !== 'SELL') {
    throw new RowProblem(`${name('buySell')} "${cell('buySell')}" is neither BUY nor SELL`, name('buySell'));
  }
  const quantity = requireNumber(cell('quantity'), name('quantity'), '.');
  if (isZeroDecimal(quantity)) requirePositive(quantity, name('quantity'));
  const type = side === '' ? (isNegativeDecimal(quantity) ? 'SELL' : 'BUY') : side;
  if (type === 'BUY' && isNegativeDecimal(quantity)) {
    throw new RowProblem(`${name('quantity')} is negative (${quantity}) on a BUY`, name('quantity'));
  }
  const price = requireNumber(cell('price'), name('price'), '.');
  if (isNegativeDecimal(price)) throw new RowProblem(`${name('price')} is negative (${price})`, name('price'));

  const currency = requireCurrency(cell('currency'), name('currency'));
  const commission = readNumber(cell('commission'), name('commission'), '.');
  if (commission !== undefined && !isZeroDecimal(commission) && !isNegativeDecimal(commission)) {
    throw new RowProblem(
      `${name('commission')} is a credit (${commission}), which a trade's fee cannot carry: record this trade by hand`,
      name('commission'),
    );
  }
  const commissionCurrency = readCurrency(cell('commissionCurrency'), name('commissionCurrency'));
  if (commission !== undefined && !isZeroDecimal(commission) && commissionCurrency && commissionCurrency !== currency) {
    throw new RowProblem(
      `the commission is charged in ${commissionCurrency} but the trade is in ${currency}: record this trade by hand`,
      name('commissionCurrency'),
    );
  }

  const fxRate = readNumber(cell('fxRate'), name('fxRate'), '.');
  if (fxRate !== undefined) requirePositive(fxRate, name('fxRate'));

  const dateColumn: FlexColumn =
    cell('tradeDate') !== '' || map.index.dateTime === undefined ? 'tradeDate' : 'dateTime';
  const settle = cell('settleDate');
  return {
    type,
    symbol: ibkrSymbol(requireText(cell('symbol'), name('symbol'))),
    quantity: absDecimal(quantity),
    price,
    fee: commission === undefined ? undefined : absDecimal(commission),
    currency,
    fxRate,
    tradeDate: requireDate(cell(dateColumn), name(dateColumn), parseIbkrDate, DATE_FORMAT),
    settleDate: settle === '' ? undefined : requireDate(settle, name('settleDate'), parseIbkrDate, DATE_FORMAT),
    externalId: cell('tradeId'),
    source: 'ibkr',
  };
}
