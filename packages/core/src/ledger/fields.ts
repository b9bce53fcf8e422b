// Reading an entry's fields for its type. This is the engine's own guard: the app validates
// entries at its edge too, but the book must never be corrupted by one it did not check. A
// missing or malformed field is an INVALID_ENTRY that names the field; nothing is coerced.
import { isIsoDate } from '../performance/dates.js';
import { Dec, money, type D } from '../money.js';
import { LEDGER_TYPES, LedgerRuleError, type LedgerEntry, type LedgerType } from './types.js';

type DecimalField = 'quantity' | 'price' | 'fee' | 'amount' | 'fxRate';

const CURRENCY_CODE_RE = /^[A-Z]{3}$/;
/** "new:old", each side a plain decimal (the grammar is checked again by `money`). */
const RATIO_RE = /^([^:]+):([^:]+)$/;

function invalid(entry: LedgerEntry, field: string, reason: string): LedgerRuleError {
  const entryId = typeof entry.entryId === 'string' ? entry.entryId : '';
  return new LedgerRuleError('INVALID_ENTRY', `entry ${entryId}: ${field} ${reason}`, entryId, { field, reason });
}

/** The fields every entry needs, checked before any type-specific one; returns the type. */
export function checkEntryHeader(entry: LedgerEntry): LedgerType {
  if (typeof entry.entryId !== 'string' || entry.entryId === '') throw invalid(entry, 'entryId', 'is required');
  if (!(LEDGER_TYPES as readonly unknown[]).includes(entry.type)) {
    throw invalid(entry, 'type', `must be one of ${LEDGER_TYPES.join(', ')}`);
  }
  if (typeof entry.tradeDate !== 'string' || !isIsoDate(entry.tradeDate)) {
    throw invalid(entry, 'tradeDate', 'must be a calendar date written YYYY-MM-DD');
  }
  if (typeof entry.currency !== 'string' || !CURRENCY_CODE_RE.test(entry.currency)) {
    throw invalid(entry, 'currency', 'must be an ISO 4217 code');
  }
  return entry.type;
}

function parseField(entry: LedgerEntry, field: DecimalField, value: unknown): D {
  if (typeof value !== 'string') throw invalid(entry, field, 'must be a decimal string');
  try {
    return money(value);
  } catch {
    throw invalid(entry, field, 'must be a decimal string');
  }
}

/** A required field that must be > 0. */
export function positiveField(entry: LedgerEntry, field: DecimalField): D {
  if (entry[field] === undefined) throw invalid(entry, field, 'is required');
  const value = parseField(entry, field, entry[field]);
  if (!value.gt(0)) throw invalid(entry, field, 'must be greater than 0');
  return value;
}

/** A field that must be >= 0; `fallback` when absent, required when there is none. */
export function nonNegativeField(entry: LedgerEntry, field: DecimalField, fallback?: D): D {
  if (entry[field] === undefined) {
    if (fallback === undefined) throw invalid(entry, field, 'is required');
    return fallback;
  }
  const value = parseField(entry, field, entry[field]);
  if (value.lt(0)) throw invalid(entry, field, 'must not be negative');
  return value;
}

/** The symbol of an entry that needs one. */
export function requiredSymbol(entry: LedgerEntry): string {
  if (typeof entry.symbol !== 'string' || entry.symbol === '') throw invalid(entry, 'symbol', 'is required');
  return entry.symbol;
}

/** The symbol of an entry where it is optional (DIVIDEND, TRANSFER_IN/OUT); undefined when absent. */
export function optionalSymbol(entry: LedgerEntry): string | undefined {
  return entry.symbol === undefined ? undefined : requiredSymbol(entry);
}

/** A SPLIT's "new:old" ratio, both sides > 0. */
export function splitRatio(entry: LedgerEntry): { newShares: D; oldShares: D } {
  const match = typeof entry.ratio === 'string' ? RATIO_RE.exec(entry.ratio) : null;
  if (!match) throw invalid(entry, 'ratio', 'must be "new:old", e.g. "2:1"');
  let sides: D[];
  try {
    sides = [money(match[1]), money(match[2])];
  } catch {
    throw invalid(entry, 'ratio', 'must be "new:old" with two decimal numbers, e.g. "2:1"');
  }
  if (sides.some((side) => !side.gt(0))) {
    throw invalid(entry, 'ratio', 'must have both sides greater than 0');
  }
  return { newShares: sides[0], oldShares: sides[1] };
}

/**
 * Base-currency units per unit of the entry's currency. An entry in the base currency converts
 * at 1, and an fxRate other than 1 on it contradicts itself; any other currency needs its rate.
 */
export function fxRateToBase(entry: LedgerEntry, baseCurrency: string): D {
  const one = new Dec(1);
  if (entry.currency === baseCurrency) {
    if (entry.fxRate !== undefined && !positiveField(entry, 'fxRate').eq(one)) {
      throw invalid(entry, 'fxRate', `must be 1 (or absent) for an entry in the base currency ${baseCurrency}`);
    }
    return one;
  }
  if (entry.fxRate === undefined) {
    throw new LedgerRuleError(
      'FX_RATE_REQUIRED',
      `entry ${entry.entryId}: ${entry.currency} is not the base currency ${baseCurrency}; fxRate is required`,
      entry.entryId,
      { currency: entry.currency, baseCurrency },
    );
  }
  return positiveField(entry, 'fxRate');
}
