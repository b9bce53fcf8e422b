import { CURRENCY_MINOR_UNITS } from '@ballast/core/currencies.js';

/**
 * How Ballast spells a symbol (in paths, in storage, in answers): upper case; an equity or fund
 * ticker as the exchange prints it, a share class after a dot (`AAPL`, `BRK.B`, `VTI`); a
 * currency or crypto pair as BASE-QUOTE with a hyphen (`EUR-USD`, `BTC-USD`), because the
 * vendors' slash (`EUR/USD`) cannot sit in a path segment. A pair's price is QUOTE units per one
 * BASE unit: `EUR-USD` ≈ 1.08 means one euro buys 1.08 dollars.
 */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9.]{0,15}(?:-[A-Z0-9]{2,10})?$/;
export const SYMBOL_MESSAGE = 'must be a symbol like AAPL, BRK.B or a pair like EUR-USD (upper case)';

/** What a caller may type in a query string: the stored form, or a pair with the vendors' slash. */
const LOOSE_SYMBOL = /^[A-Za-z0-9][A-Za-z0-9.]{0,15}(?:[-/][A-Za-z0-9]{2,10})?$/;

/** `eur/usd` → `EUR-USD`; undefined when it is not a symbol in either spelling. */
export function normalizeSymbol(input: string): string | undefined {
  const trimmed = input.trim();
  if (!LOOSE_SYMBOL.test(trimmed)) return undefined;
  return trimmed.toUpperCase().replace('/', '-');
}

/**
 * The provider port speaks pairs with a slash (`EUR/USD`, Twelve Data's spelling and the common
 * one); each adapter maps that to its vendor's own form (Polygon's `C:EURUSD`) itself.
 */
export const toProviderSymbol = (symbol: string): string => symbol.replace('-', '/');
export const fromProviderSymbol = (symbol: string): string => symbol.toUpperCase().replace('/', '-');

export function pairOf(symbol: string): { base: string; quote: string } | undefined {
  const dash = symbol.indexOf('-');
  return dash < 0 ? undefined : { base: symbol.slice(0, dash), quote: symbol.slice(dash + 1) };
}

const isCurrency = (code: string) => Object.hasOwn(CURRENCY_MINOR_UNITS, code);

/** The symbol whose price converts `from` into `to`: `fxSymbol('EUR', 'USD')` is `EUR-USD`. */
export const fxSymbol = (from: string, to: string): string => `${from}-${to}`;

/** What the symbol alone says about its asset class: a pair of currencies is fx, any other pair crypto. */
export function assetClassOf(symbol: string): 'fx' | 'crypto' | undefined {
  const pair = pairOf(symbol);
  if (!pair) return undefined;
  return isCurrency(pair.base) && isCurrency(pair.quote) ? 'fx' : 'crypto';
}

/** The currency a pair is priced in (its quote side); a ticker's currency comes from its quote. */
export const pairCurrency = (symbol: string): string | undefined => pairOf(symbol)?.quote;
