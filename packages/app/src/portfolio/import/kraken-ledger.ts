import { type ColumnMap, cellOf, mapColumns, requireColumns } from './columns.js';
import { type CsvTable, splitHeader } from './csv.js';
import { parseKrakenTime } from './dates.js';
import {
  absDecimal,
  addDecimals,
  divideDecimals,
  isNegativeDecimal,
  isZeroDecimal,
  multiplyDecimals,
} from './decimal-math.js';
import { type KrakenAsset, krakenAsset } from './kraken-assets.js';
import { ImportCollector, RowProblem, readNumber, requireDate, requireNumber, requireText } from './rows.js';
import type { CandidateTransaction, ParsedImport } from './types.js';

export const KRAKEN_LEDGER_COLUMNS = {
  txid: ['txid'],
  refid: ['refid'],
  time: ['time'],
  type: ['type'],
  subtype: ['subtype'],
  asset: ['asset'],
  amount: ['amount'],
  fee: ['fee'],
} as const;
type LedgerColumn = keyof typeof KRAKEN_LEDGER_COLUMNS;
/** A column's name as headed in the file, for rejections. */
type ColumnName = (key: LedgerColumn) => string;
const REQUIRED: LedgerColumn[] = ['txid', 'refid', 'time', 'type', 'asset', 'amount'];

/** Ledger types that are the two legs of an exchange: trades, and the app's instant buy/sell (spend + receive). */
const LEG_TYPES = new Set(['trade', 'spend', 'receive']);
const NOT_IMPORTED: Record<string, string> = {
  staking: 'staking rewards are not imported',
  earn: 'Kraken Earn entries (rewards, allocations) are not imported',
  transfer: 'transfers between Kraken wallets (spot, staking, futures) are not imported',
  margin: 'margin trades are not imported',
  rollover: 'margin rollovers are not imported',
  settled: 'margin settlements are not imported',
};

/** One readable ledger row. */
interface Entry {
  line: number;
  refid: string;
  type: string;
  asset: KrakenAsset;
  amount: string;
  fee: string;
  date: string;
}

/** The first record of a Kraken ledgers export: txid, refid and asset columns. */
export function looksLikeKrakenLedger(keys: ReadonlySet<string>): boolean {
  return keys.has('txid') && keys.has('refid') && keys.has('asset');
}

/**
 * A Kraken ledgers export. A trade is two rows sharing a refid, one asset out and one in; it
 * becomes one BUY (fiat out, crypto in) or SELL (crypto out, fiat in) on the first row's line,
 * with quantity = |crypto amount|, price = |fiat amount| / |crypto amount| (exact when the
 * quotient terminates within 12 decimal places, the ledger's limit; otherwise rounded half-even to
 * 12 places, so 100 EUR for 3 XRP is 33.333333333333), currency = the fiat and
 * externalId = refid. fee = Kraken's fee column of both legs in fiat: a fee charged in the crypto
 * is converted at the trade's price (same rounding), so the cost basis is right; the holding then
 * differs from Kraken's balance by that crypto fee, which Kraken took out of it.
 * Fiat deposits and withdrawals become DEPOSIT/WITHDRAWAL (externalId = refid), a fee folded into
 * the amount (the ledger takes none on them) and noted. An empty txid marks a failed or pending
 * entry: skipped. Crypto movements, staked balances (ETH2, *.S, *.M …), staking/earn/transfer
 * entries and crypto-to-crypto trades are rejected, each with its reason.
 */
export function parseKrakenLedger(table: CsvTable): ParsedImport {
  const { header, rows } = splitHeader(table);
  const map = mapColumns(header.cells, KRAKEN_LEDGER_COLUMNS, header.line);
  requireColumns(map, REQUIRED, (key) => key, { line: header.line, what: 'the ledger header' });

  const name: ColumnName = (key) => map.name[key] ?? key;
  const out = new ImportCollector('kraken-ledger');
  /** Legs by refid, with the rejection of any leg that could not be read. */
  const legs = new Map<string, { line: number; entry?: Entry; problem?: RowProblem }[]>();
  for (const record of rows) {
    out.read();
    const cell = (key: LedgerColumn) => cellOf(map, record.cells, key);
    if (cell('txid') === '') {
      out.skip(); // failed or still pending: Kraken books it again with a txid when it completes
      continue;
    }
    const type = cell('type').toLowerCase();
    if (LEG_TYPES.has(type)) {
      const leg = readLeg(map, record.cells, record.line);
      const refid = cell('refid');
      legs.set(refid, [...(legs.get(refid) ?? []), leg]);
      continue;
    }
    out.attempt(record.line, () => readMovement(readEntry(map, record.cells, record.line), name));
  }
  for (const [refid, group] of legs) readTrade(refid, group, out, name);
  return out.finish();
}

function readLeg(map: ColumnMap<LedgerColumn>, cells: string[], line: number) {
  try {
    return { line, entry: readEntry(map, cells, line) };
  } catch (error) {
    if (error instanceof RowProblem) return { line, problem: error };
    throw error;
  }
}

function readEntry(map: ColumnMap<LedgerColumn>, cells: string[], line: number): Entry {
  const cell = (key: LedgerColumn) => cellOf(map, cells, key);
  const name = (key: LedgerColumn) => map.name[key] ?? key;
  const asset = krakenAsset(requireText(cell('asset'), name('asset')));
  if (asset.staked) {
    throw new RowProblem(
      `staking balances are not imported (${cell('asset')} is a staked or earning balance)`,
      name('asset'),
    );
  }
  const fee = readNumber(cell('fee'), name('fee'), '.') ?? '0';
  if (isNegativeDecimal(fee)) throw new RowProblem(`${name('fee')} is negative (${fee})`, name('fee'));
  return {
    line,
    refid: requireText(cell('refid'), name('refid')),
    type: cell('type').toLowerCase(),
    asset,
    amount: requireNumber(cell('amount'), name('amount'), '.'),
    fee,
    date: requireDate(cell('time'), name('time'), parseKrakenTime, 'YYYY-MM-DD HH:MM:SS (UTC)'),
  };
}

/** A single-row entry: a fiat deposit or withdrawal, or a rejection saying why not. */
function readMovement(entry: Entry, name: ColumnName): CandidateTransaction {
  const known = NOT_IMPORTED[entry.type];
  if (known !== undefined) throw new RowProblem(known, name('type'));
  if (entry.type !== 'deposit' && entry.type !== 'withdrawal') {
    throw new RowProblem(`ledger entries of type "${entry.type}" are not imported`, name('type'));
  }
  if (!entry.asset.fiat) {
    throw new RowProblem(
      `a crypto ${entry.type} (${entry.asset.code}) has no cost basis: record it as ` +
        `${entry.type === 'deposit' ? 'TRANSFER_IN' : 'TRANSFER_OUT'} with a price`,
      name('asset'),
    );
  }
  const outgoing = isNegativeDecimal(entry.amount);
  if (isZeroDecimal(entry.amount) || outgoing !== (entry.type === 'withdrawal')) {
    throw new RowProblem(
      entry.type === 'deposit'
        ? `a deposit must have a positive amount (got ${entry.amount})`
        : `a withdrawal must have a negative amount (got ${entry.amount}); a positive one returns a failed withdrawal`,
      name('amount'),
    );
  }
  // The ledger takes no fee on a deposit or withdrawal, so the fee is folded into the amount: the
  // cash that left (|amount| + fee) or arrived (amount − fee), which is what Kraken's balance did.
  const gross = absDecimal(entry.amount);
  const charged = !isZeroDecimal(entry.fee);
  const amount = !charged ? gross : outgoing ? addDecimals(gross, entry.fee) : addDecimals(gross, `-${entry.fee}`);
  if (isNegativeDecimal(amount) || isZeroDecimal(amount)) {
    throw new RowProblem(`the fee (${entry.fee}) takes all of the deposit (${entry.amount})`, name('fee'));
  }
  return {
    type: outgoing ? 'WITHDRAWAL' : 'DEPOSIT',
    amount,
    currency: entry.asset.code,
    tradeDate: entry.date,
    note: charged ? `${gross} ${outgoing ? 'withdrawn' : 'deposited'}, Kraken fee ${entry.fee}` : undefined,
    externalId: entry.refid,
    source: 'kraken',
  };
}

function readTrade(
  refid: string,
  group: { line: number; entry?: Entry; problem?: RowProblem }[],
  out: ImportCollector,
  name: ColumnName,
): void {
  const rejectAll = (reason: string, field?: string) => {
    for (const leg of group) out.reject(leg.line, { reason, field });
  };
  const unreadable = group.find((leg) => leg.problem !== undefined);
  if (unreadable !== undefined) {
    for (const leg of group) {
      const problem = leg.problem;
      if (problem !== undefined) out.reject(leg.line, { reason: problem.reason, field: problem.field });
      else {
        const reason =
          `the other row of trade ${refid} (line ${unreadable.line}) cannot be imported: ` +
          `${unreadable.problem?.reason}`;
        out.reject(leg.line, { reason });
      }
    }
    return;
  }
  const entries = group.map((leg) => leg.entry as Entry);
  if (entries.length !== 2) {
    rejectAll(`trade ${refid} has ${entries.length} ledger row(s); a trade needs exactly two (one asset out, one in)`);
    return;
  }
  const spent = entries.find((entry) => isNegativeDecimal(entry.amount));
  const received = entries.find((entry) => !isNegativeDecimal(entry.amount) && !isZeroDecimal(entry.amount));
  if (spent === undefined || received === undefined) {
    rejectAll(`the two rows of trade ${refid} do not move one asset out and one in`, name('amount'));
    return;
  }
  const route = `${spent.asset.code} → ${received.asset.code}`;
  if (spent.asset.fiat && received.asset.fiat) {
    rejectAll(`a currency conversion (${route}) is not imported`, name('asset'));
    return;
  }
  if (!spent.asset.fiat && !received.asset.fiat) {
    rejectAll(`a crypto-to-crypto trade (${route}) has no fiat leg to price it: not imported`, name('asset'));
    return;
  }
  const [crypto, fiat] = spent.asset.fiat ? [received, spent] : [spent, received];
  const quantity = absDecimal(crypto.amount);
  const value = absDecimal(fiat.amount);
  // A fee taken in the crypto is valued at this trade's price: fee × value / quantity, in one division.
  const cryptoFee = isZeroDecimal(crypto.fee)
    ? undefined
    : divideDecimals(multiplyDecimals(crypto.fee, value), quantity).value;
  const fee = cryptoFee === undefined ? fiat.fee : addDecimals(fiat.fee, cryptoFee);
  const first = crypto.line < fiat.line ? crypto : fiat;
  out.accept(first.line, {
    type: spent.asset.fiat ? 'BUY' : 'SELL',
    symbol: crypto.asset.code,
    quantity,
    price: divideDecimals(value, quantity).value,
    fee: isZeroDecimal(fee) ? undefined : fee,
    currency: fiat.asset.code,
    tradeDate: first.date,
    externalId: refid,
    source: 'kraken',
  });
}
