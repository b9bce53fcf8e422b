// Portfolio import from broker and generic CSV exports: pure parsers, text in, candidate ledger
// rows out. The import service validates each candidate with the POST /transactions schema.
export { detectFormat } from './detect.js';
export { GENERIC_FIELDS } from './generic.js';
export { type GenerateGenericCsvOptions, generateGenericCsv } from './generate.js';
export {
  IBKR_DEPOSIT_COLUMNS,
  IBKR_DIVIDEND_COLUMNS,
  IBKR_IMPORTED_ASSET_CATEGORIES,
  IBKR_SECTIONS,
  IBKR_TRADE_COLUMNS,
} from './ibkr-names.js';
export { KRAKEN_ASSET_CODES, krakenAsset, splitKrakenPair } from './kraken-assets.js';
export { type DecimalSeparator, inferDecimalSeparator, normaliseNumber } from './numbers.js';
export { parseImport } from './parse.js';
export {
  type CandidateRow,
  type CandidateTransaction,
  IMPORT_FORMATS,
  type ImportFormat,
  ImportFormatError,
  type ImportFormatErrorCode,
  type ParsedImport,
  type RowRejection,
  TRANSACTION_TYPES,
  type TransactionType,
} from './types.js';
