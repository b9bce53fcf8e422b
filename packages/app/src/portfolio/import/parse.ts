import { readCsv } from './csv.js';
import { detectTableFormat } from './detect.js';
import { parseGeneric } from './generic.js';
import { parseIbkrActivity } from './ibkr-activity.js';
import { parseIbkrFlex } from './ibkr-flex.js';
import { parseKrakenLedger } from './kraken-ledger.js';
import { parseKrakenTrades } from './kraken-trades.js';
import { IMPORT_FORMATS, type ImportFormat, ImportFormatError, type ParsedImport } from './types.js';

/**
 * CSV text → candidate ledger rows, rejections and counts. Pure: no I/O, no clock. A row that
 * cannot be read becomes a RowRejection with its line, column and a reason a person can act on;
 * only problems with the file as a whole (no header we know, missing columns, unreadable CSV)
 * throw ImportFormatError. `format: 'auto'` picks the format with `detectFormat`.
 */
export function parseImport(text: string, format: ImportFormat | 'auto'): ParsedImport {
  if (format !== 'auto' && !(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ImportFormatError(
      'UNRECOGNISED_FORMAT',
      `unknown import format "${String(format)}": use one of ${IMPORT_FORMATS.join(', ')} or auto`,
    );
  }
  const table = readCsv(text);
  const chosen = format === 'auto' ? detectTableFormat(table) : format;
  switch (chosen) {
    case 'generic':
      return parseGeneric(table);
    case 'ibkr-activity':
      return parseIbkrActivity(table);
    case 'ibkr-flex':
      return parseIbkrFlex(table);
    case 'kraken-ledger':
      return parseKrakenLedger(table);
    case 'kraken-trades':
      return parseKrakenTrades(table);
  }
}
