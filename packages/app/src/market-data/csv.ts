import { AppError } from '@ballast/platform/errors.js';
import { CsvError, parse } from 'csv-parse/sync';

export interface CsvColumn {
  /** the field it fills */
  name: string;
  /** header spellings that mean it, compared without case, blanks, `_`, `-`, `.` or `/` */
  headers: readonly string[];
  required?: boolean;
}

export interface CsvRow {
  /** the record's number in the file, the header being record 1 */
  record: number;
  values: Record<string, string | undefined>;
}

const squash = (header: string) => header.toLowerCase().replace(/[\s_\-./]/g, '');

/** Longest field accepted: a row with more is not market data. */
const MAX_FIELD_BYTES = 64 * 1024;

/**
 * A CSV file's rows, its columns matched by header name (never by position) through csv-parse:
 * a UTF-8 BOM, CRLF line ends, quoted fields and blank lines are fine. A file that does not parse,
 * or lacks a required column, is a 400 INVALID_CSV saying why.
 */
export function readCsv(text: string, columns: readonly CsvColumn[]): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      max_record_size: MAX_FIELD_BYTES,
    });
  } catch (e) {
    if (e instanceof CsvError) throw new AppError(400, 'INVALID_CSV', `The CSV body does not parse: ${e.message}`);
    throw e;
  }
  if (!records.length) throw new AppError(400, 'INVALID_CSV', 'The CSV body has no header row');
  const header = records[0].map(squash);
  const index = new Map<string, number>();
  for (const column of columns) {
    const at = header.findIndex((h) => column.headers.some((name) => squash(name) === h));
    if (at >= 0) index.set(column.name, at);
  }
  const missing = columns.filter((c) => c.required && !index.has(c.name)).map((c) => c.name);
  if (missing.length) {
    throw new AppError(
      400,
      'INVALID_CSV',
      `The CSV header row lacks ${missing.join(', ')} (it has: ${records[0].join(', ').slice(0, 200)})`,
    );
  }
  if (records.length === 1) throw new AppError(400, 'INVALID_CSV', 'The CSV body has a header row and no data');
  return records.slice(1).map((fields, i) => ({
    record: i + 2,
    values: Object.fromEntries(
      [...index].map(([name, at]) => {
        const value = fields[at];
        return [name, value === undefined || value === '' ? undefined : value];
      }),
    ),
  }));
}
