import { type CsvError, type Info, parse } from 'csv-parse/sync';
import { ImportFormatError } from './types.js';

/** One CSV record: its cells (trimmed) and the physical line it starts on. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export type Delimiter = ',' | ';' | '\t';

export interface CsvTable {
  delimiter: Delimiter;
  /** Records with at least one non-blank cell, in file order. */
  records: CsvRecord[];
}

interface RecordWithInfo {
  record: string[];
  info: Info;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Reads CSV text into records. Tolerates a UTF-8 BOM, CRLF/LF/CR line ends, quoted fields with
 * delimiters, line breaks and doubled quotes, blank lines, ragged rows and stray quotes inside an
 * unquoted field (`5" screen`). An unterminated quote is a MALFORMED_CSV error: everything after
 * it would be read as one field.
 *
 * Line numbers are computed here rather than taken from csv-parse's `info.lines`, which counts a
 * CRLF inside a quoted field as two lines. `info.bytes` (the offset just past a record) is exact,
 * so a record starts at the first byte after the previous record that is not a line break.
 */
export function readCsv(text: string, options: { maxRecords?: number } = {}): CsvTable {
  const delimiter = detectDelimiter(text);
  const bytes = Buffer.from(text, 'utf8');
  let parsed: RecordWithInfo[];
  try {
    // The sync overloads type the result as string[][] whatever the options; `info: true` makes
    // each element a { record, info } pair.
    parsed = parse(bytes, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      ...(options.maxRecords === undefined ? {} : { to: options.maxRecords }),
    }) as unknown as RecordWithInfo[];
  } catch (error) {
    throw malformed(error, bytes);
  }
  const lines = new LineIndex(bytes);
  const records: CsvRecord[] = [];
  let end = 0;
  for (const { record, info } of parsed) {
    const line = lines.lineAt(skipLineBreaks(bytes, end));
    end = info.bytes;
    const cells = record.map((cell) => cell.trim());
    if (cells.some((cell) => cell !== '')) records.push({ line, cells });
  }
  return { delimiter, records };
}

/** The first record as the header and the rest as data; an empty file is no format at all. */
export function splitHeader(table: CsvTable): { header: CsvRecord; rows: CsvRecord[] } {
  const [header, ...rows] = table.records;
  if (header === undefined) throw new ImportFormatError('UNRECOGNISED_FORMAT', 'the file has no rows');
  return { header, rows };
}

function malformed(error: unknown, bytes: Buffer): ImportFormatError {
  const csvError = error as Partial<CsvError> & { bytes_records?: number };
  const message = error instanceof Error ? error.message : String(error);
  if (typeof csvError.bytes_records !== 'number') {
    return new ImportFormatError('MALFORMED_CSV', `the file is not readable CSV: ${message}`);
  }
  // The failing record starts after the last one read; its own line is where a person should look.
  const row = new LineIndex(bytes).lineAt(skipLineBreaks(bytes, csvError.bytes_records));
  const hint =
    csvError.code === 'CSV_QUOTE_NOT_CLOSED'
      ? `a quoted field opened on line ${row} is never closed`
      : `the record starting on line ${row} cannot be read (${message})`;
  return new ImportFormatError('MALFORMED_CSV', `the file is not readable CSV: ${hint}`, { row });
}

function skipLineBreaks(bytes: Buffer, from: number): number {
  let at = from;
  while (at < bytes.length && (bytes[at] === CR || bytes[at] === LF)) at++;
  return at;
}

/** Maps byte offsets to 1-based line numbers; a line ends at LF, CRLF or a lone CR. */
class LineIndex {
  private readonly starts: number[] = [0];
  constructor(bytes: Buffer) {
    for (let at = 0; at < bytes.length; at++) {
      const byte = bytes[at];
      if (byte === LF || (byte === CR && bytes[at + 1] !== LF)) this.starts.push(at + 1);
    }
  }

  lineAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}

/**
 * The delimiter of the first line that has content: ',' unless ';' or a tab occur more often
 * outside quotes (spreadsheets in comma-decimal locales write ';').
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  let seen = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      if (seen) break;
    } else if (!quoted && (char === ',' || char === ';' || char === '\t')) {
      counts[char]++;
      seen = true;
    } else if (char.trim() !== '' && char !== '\uFEFF') seen = true;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}
