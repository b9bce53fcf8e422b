// The names an IBKR Activity Statement uses, in each language we read (English, German). IBKR
// localises section names, column headers, asset categories and total labels, but not the row
// kinds (Header/Data/SubTotal/Total/Notes) nor DataDiscriminator values. Matching goes through
// `headerKey`, so case, spaces and punctuation do not matter ("T.-Kurs" = "T Kurs").
// To read another language, add its spellings here; nothing else changes.

/** The sections we import; every other section is counted as skipped. */
export const IBKR_SECTIONS = {
  trades: ['Trades', 'Transaktionen'],
  dividends: ['Dividends', 'Dividenden'],
  depositsWithdrawals: [
    'Deposits & Withdrawals',
    'Deposits and Withdrawals',
    'Ein- und Auszahlungen',
    'Einzahlungen & Auszahlungen',
    'Einzahlungen und Auszahlungen',
  ],
} as const;
export type IbkrSection = keyof typeof IBKR_SECTIONS;

const currency = ['Currency', 'Währung'];
const description = ['Description', 'Beschreibung'];
const amount = ['Amount', 'Betrag'];

/** Column headers of the Trades section. */
export const IBKR_TRADE_COLUMNS = {
  discriminator: ['DataDiscriminator'],
  assetCategory: ['Asset Category', 'Vermögenswertkategorie', 'Anlagekategorie', 'Vermögenskategorie'],
  currency,
  symbol: ['Symbol'],
  dateTime: ['Date/Time', 'Datum/Zeit', 'Datum/Uhrzeit'],
  quantity: ['Quantity', 'Menge', 'Anzahl'],
  price: ['T. Price', 'T.-Kurs', 'T.-Preis', 'Transaktionskurs'],
  fee: ['Comm/Fee', 'Prov./Gebühr', 'Provision/Gebühr', 'Provisionen/Gebühren'],
} as const;

/** Column headers of the Dividends section. */
export const IBKR_DIVIDEND_COLUMNS = {
  currency,
  date: ['Date', 'Datum'],
  description,
  amount,
} as const;

/** Column headers of the Deposits & Withdrawals section. */
export const IBKR_DEPOSIT_COLUMNS = {
  currency,
  settleDate: ['Settle Date', 'Abwicklungsdatum', 'Abrechnungsdatum', 'Valutadatum'],
  description,
  amount,
} as const;

/** Asset categories whose trades we import (stocks and ETFs are "Stocks"); others are rejected. */
export const IBKR_IMPORTED_ASSET_CATEGORIES = [
  'Stocks',
  'Equity',
  'Crypto',
  'Cryptocurrency',
  'Aktien',
  'Krypto',
  'Kryptowährung',
  'Kryptowährungen',
] as const;

/** A Data row that sums others: "Total", "Total in USD", "Total Dividends in EUR", "Gesamt", "Gesamtwert in EUR". */
export const IBKR_TOTAL_LABEL = /^(?:total|gesamt|summe)/i;

/** IBKR writes a share class with a space ("BRK B"); the ledger spells it with a point ("BRK.B"). */
export function ibkrSymbol(raw: string): string {
  return raw.trim().toUpperCase().replace(/\s+/g, '.');
}
