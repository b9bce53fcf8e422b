import { headerKey } from './columns.js';
import { type CsvTable, readCsv } from './csv.js';
import { looksGeneric } from './generic.js';
import { looksLikeIbkrActivity } from './ibkr-activity.js';
import { looksLikeIbkrFlex } from './ibkr-flex.js';
import { looksLikeKrakenLedger } from './kraken-ledger.js';
import { looksLikeKrakenTrades } from './kraken-trades.js';
import { type ImportFormat, ImportFormatError } from './types.js';

/** Records enough to find the first one with content, however many blank-celled rows lead the file. */
const DETECTION_RECORDS = 50;

/**
 * The format of a CSV export, from its first record: an IBKR Activity Statement starts
 * "<Section>,Header,…"; a Flex export names TradeID or IBCommission (or starts BOF/HEADER); a
 * Kraken ledger has txid, refid and asset, Kraken trades txid, ordertxid and pair; a generic file
 * names transaction fields, type or tradeDate among them (so a generic file lacking one of the
 * two is recognised, and its parse says which column is missing). Throws UNRECOGNISED_FORMAT.
 */
export function detectFormat(text: string): ImportFormat {
  return detectTableFormat(readCsv(text, { maxRecords: DETECTION_RECORDS }));
}

export function detectTableFormat(table: CsvTable): ImportFormat {
  const first = table.records[0];
  if (first === undefined) throw new ImportFormatError('UNRECOGNISED_FORMAT', 'the file has no rows');
  const keys = new Set(first.cells.map(headerKey));
  if (looksLikeIbkrActivity(first.cells)) return 'ibkr-activity';
  if (looksLikeIbkrFlex(first.cells)) return 'ibkr-flex';
  if (looksLikeKrakenLedger(keys)) return 'kraken-ledger';
  if (looksLikeKrakenTrades(keys)) return 'kraken-trades';
  if (looksGeneric(first.cells)) return 'generic';
  throw new ImportFormatError(
    'UNRECOGNISED_FORMAT',
    `the first row (line ${first.line}) is not a header we know: expected an IBKR Activity Statement ` +
      '("Statement,Header,…"), an IBKR Flex export (TradeID, IBCommission), a Kraken ledgers or trades ' +
      'export (txid with refid or ordertxid), or a generic file with type and tradeDate columns',
    { row: first.line },
  );
}
