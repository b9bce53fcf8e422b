import { isNegativeDecimal, isZeroDecimal } from './decimal-math.js';
import { type DecimalSeparator, normaliseNumber } from './numbers.js';
import type { CandidateRow, CandidateTransaction, ImportFormat, ParsedImport, RowRejection } from './types.js';

/**
 * Why one record cannot be imported. Thrown inside a row's reader and caught by its loop, so the
 * reader stays a straight line of checks; it never escapes a parser.
 */
export class RowProblem extends Error {
  constructor(
    readonly reason: string,
    readonly field?: string,
  ) {
    super(reason);
  }
}

/** Collects what a parser makes of a file, keeping the accounting of `ParsedImport`. */
export class ImportCollector {
  private rowsRead = 0;
  private skipped = 0;
  private readonly candidates: CandidateRow[] = [];
  private readonly rejected: RowRejection[] = [];

  constructor(private readonly format: ImportFormat) {}

  /** Counts a record as read; each must then be accepted (alone or with others), rejected or skipped. */
  read(): void {
    this.rowsRead++;
  }

  skip(): void {
    this.skipped++;
  }

  accept(row: number, tx: CandidateTransaction): void {
    this.candidates.push({ row, tx: compact(tx) });
  }

  reject(row: number, problem: { reason: string; field?: string }): void {
    this.rejected.push(problem.field === undefined ? { row, reason: problem.reason } : { row, ...problem });
  }

  /** Runs a row's reader, turning its RowProblem into a rejection; other errors are bugs and escape. */
  attempt(row: number, readRow: () => CandidateTransaction | 'skip'): void {
    try {
      const outcome = readRow();
      if (outcome === 'skip') this.skip();
      else this.accept(row, outcome);
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      this.reject(row, { reason: error.reason, field: error.field });
    }
  }

  finish(): ParsedImport {
    const byRow = (a: { row: number }, b: { row: number }) => a.row - b.row;
    return {
      format: this.format,
      rowsRead: this.rowsRead,
      candidates: [...this.candidates].sort(byRow),
      rejected: [...this.rejected].sort(byRow),
      skipped: this.skipped,
    };
  }
}

/** The transaction without its empty fields, so a candidate carries only what the file said. */
export function compact(tx: CandidateTransaction): CandidateTransaction {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tx)) {
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out as unknown as CandidateTransaction;
}

/** `raw` as a decimal string, or a RowProblem naming the column; '' is undefined (not given). */
export function readNumber(raw: string, field: string, decimal?: DecimalSeparator): string | undefined {
  if (raw === '') return undefined;
  const value = normaliseNumber(raw, decimal);
  if (value !== undefined) return value;
  const convention = decimal === undefined ? '' : ` (this file writes decimals with "${decimal}")`;
  throw new RowProblem(`${field} "${raw}" is not a number${convention}`, field);
}

/** Like `readNumber`, but the value must be there. */
export function requireNumber(raw: string, field: string, decimal?: DecimalSeparator): string {
  const value = readNumber(raw, field, decimal);
  if (value === undefined) throw new RowProblem(`${field} is empty`, field);
  return value;
}

export function requireText(raw: string, field: string): string {
  if (raw === '') throw new RowProblem(`${field} is empty`, field);
  return raw;
}

/** A value above zero; zero and negatives are refused. */
export function requirePositive(value: string, field: string): string {
  if (isNegativeDecimal(value) || isZeroDecimal(value)) {
    throw new RowProblem(`${field} must be greater than zero (got ${value})`, field);
  }
  return value;
}

export function requireDate(
  raw: string,
  field: string,
  parse: (raw: string) => string | undefined,
  expected: string,
): string {
  if (raw === '') throw new RowProblem(`${field} is empty`, field);
  const date = parse(raw);
  if (date === undefined) throw new RowProblem(`${field} "${raw}" is not a date: expected ${expected}`, field);
  return date;
}

/** An ISO 4217-shaped code in upper case; whether the ledger supports it is the service's call. */
export function readCurrency(raw: string, field: string): string | undefined {
  if (raw === '') return undefined;
  const code = raw.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new RowProblem(`${field} "${raw}" is not a currency code like USD`, field);
  return code;
}

/** Like `readCurrency`, but the value must be there. */
export function requireCurrency(raw: string, field: string): string {
  return readCurrency(requireText(raw, field), field) as string;
}
