import { type ColumnMap, cellOf, mapColumns, requireColumns } from './columns.js';
import { type CsvTable, splitHeader } from './csv.js';
import { parseKrakenTime } from './dates.js';
import { isNegativeDecimal, isZeroDecimal } from './decimal-math.js';
import { splitKrakenPair } from './kraken-assets.js';
import {
  ImportCollector,
  RowProblem,
  readNumber,
  requireDate,
  requireNumber,
  requirePositive,
  requireText,
} from './rows.js';
import type { CandidateTransaction, ParsedImport } from './types.js';

export const KRAKEN_TRADE_COLUMNS = {
  txid: ['txid'],
  pair: ['pair'],
  time: ['time'],
  type: ['type'],
  price: ['price'],
  fee: ['fee'],
  vol: ['vol'],
  margin: ['margin'],
} as const;
type TradeColumn = keyof typeof KRAKEN_TRADE_COLUMNS;
const REQUIRED: TradeColumn[] = ['txid', 'pair', 'time', 'type', 'price', 'vol'];

/** The first record of a Kraken trades export: txid, ordertxid and pair columns. */
export function looksLikeKrakenTrades(keys: ReadonlySet<string>): boolean {
  return keys.has('txid') && keys.has('ordertxid') && keys.has('pair');
}

/**
 * A Kraken trades export: one fill a row. buy/sell → BUY/SELL of the pair's base (symbol) at
 * `price` in its quote (currency), quantity = vol, fee = `fee` (charged in the quote),
 * externalId = txid, tradeDate = the UTC date of `time`. Pairs quoted in crypto or stablecoins
 * have no fiat leg and are rejected, as are margin trades.
 */
export function parseKrakenTrades(table: CsvTable): ParsedImport {
  const { header, rows } = splitHeader(table);
  const map = mapColumns(header.cells, KRAKEN_TRADE_COLUMNS, header.line);
  requireColumns(map, REQUIRED, (key) => key, { line: header.line, what: 'the trades header' });
  const out = new ImportCollector('kraken-trades');
  for (const record of rows) {
    out.read();
    out.attempt(record.line, () => readTrade(map, record.cells));
  }
  return out.finish();
}

function readTrade(map: ColumnMap<TradeColumn>, cells: string[]): CandidateTransaction {
  const cell = (key: TradeColumn) => cellOf(map, cells, key);
  const name = (key: TradeColumn) => map.name[key] ?? key;
  const txid = requireText(cell('txid'), name('txid'));
  const rawPair = requireText(cell('pair'), name('pair'));
  const pair = splitKrakenPair(rawPair);
  if (pair === undefined)
    throw new RowProblem(`${name('pair')} "${rawPair}" does not end in a quote currency we know`, name('pair'));
  const route = `${pair.base.code}/${pair.quote.code}`;
  if (pair.base.fiat || !pair.quote.fiat) {
    const why = pair.base.fiat ? 'is a currency conversion' : 'is quoted in crypto, so it has no fiat leg';
    throw new RowProblem(`${route} ${why}: not imported`, name('pair'));
  }
  const side = cell('type').toLowerCase();
  if (side !== 'buy' && side !== 'sell')
    throw new RowProblem(`${name('type')} "${cell('type')}" is neither buy nor sell`, name('type'));
  const margin = readNumber(cell('margin'), name('margin'), '.');
  if (margin !== undefined && !isZeroDecimal(margin)) {
    throw new RowProblem('margin trades are not imported', name('margin'));
  }
  const price = requireNumber(cell('price'), name('price'), '.');
  if (isNegativeDecimal(price)) throw new RowProblem(`${name('price')} is negative (${price})`, name('price'));
  const fee = readNumber(cell('fee'), name('fee'), '.');
  if (fee !== undefined && isNegativeDecimal(fee))
    throw new RowProblem(`${name('fee')} is negative (${fee})`, name('fee'));
  return {
    type: side === 'buy' ? 'BUY' : 'SELL',
    symbol: pair.base.code,
    quantity: requirePositive(requireNumber(cell('vol'), name('vol'), '.'), name('vol')),
    price,
    fee,
    currency: pair.quote.code,
    tradeDate: requireDate(cell('time'), name('time'), parseKrakenTime, 'YYYY-MM-DD HH:MM:SS (UTC)'),
    externalId: txid,
    source: 'kraken',
  };
}
