import { ImportFormatError } from './types.js';

/**
 * A header as a key: lower case, letters and digits only, so "Trade Date", "trade_date",
 * "TRADEDATE", "T. Price" ("tprice") and "Prov./Gebühr" ("provgebühr") each match one spelling.
 */
export function headerKey(header: string): string {
  return header
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Where each wanted column is in a header row, by name (never by position). */
export interface ColumnMap<Key extends string> {
  /** Index of each column found. */
  index: Partial<Record<Key, number>>;
  /** The column's name as headed in the file, for messages. */
  name: Partial<Record<Key, string>>;
}

/**
 * Finds the columns of `aliases` (each key: the accepted spellings, any case/spacing) in a
 * header row. Unknown columns are ignored. Two columns answering to one key make the file
 * ambiguous: MALFORMED_CSV.
 */
export function mapColumns<Key extends string>(
  header: readonly string[],
  aliases: Readonly<Record<Key, readonly string[]>>,
  line: number,
): ColumnMap<Key> {
  const byKey = new Map<string, Key>();
  for (const key of Object.keys(aliases) as Key[]) {
    for (const alias of aliases[key]) byKey.set(headerKey(alias), key);
  }
  const map: ColumnMap<Key> = { index: {}, name: {} };
  header.forEach((cell, position) => {
    const key = byKey.get(headerKey(cell));
    if (key === undefined) return;
    const earlier = map.index[key];
    if (earlier !== undefined) {
      throw new ImportFormatError(
        'MALFORMED_CSV',
        `columns ${earlier + 1} ("${header[earlier]}") and ${position + 1} ("${cell}") on line ${line} ` +
          'both name the same field: keep one',
        { row: line },
      );
    }
    map.index[key] = position;
    map.name[key] = cell;
  });
  return map;
}

/** Throws MISSING_COLUMNS naming the columns (as `label`s) a header row lacks. */
export function requireColumns<Key extends string>(
  map: ColumnMap<Key>,
  required: readonly Key[],
  label: (key: Key) => string,
  where: { line: number; what: string },
): void {
  const missing = required.filter((key) => map.index[key] === undefined).map(label);
  if (missing.length === 0) return;
  throw new ImportFormatError(
    'MISSING_COLUMNS',
    `${where.what} on line ${where.line} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    { missing, row: where.line },
  );
}

/** The trimmed cell of `key` in a record ('' when the column is absent or the record is short). */
export function cellOf<Key extends string>(map: ColumnMap<Key>, cells: readonly string[], key: Key): string {
  const position = map.index[key];
  return position === undefined ? '' : (cells[position] ?? '');
}
