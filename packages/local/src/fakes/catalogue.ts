import { fakeAssetClass } from './prices.js';

/**
 * The instruments the fake vendors describe by name (symbol search, quote names). Prices exist for
 * any well-formed symbol (prices.ts); these are the ones a search finds and a seed can list.
 */

export interface FakeInstrument {
  symbol: string;
  name: string;
  /** Twelve Data's exchange name and MIC */
  exchange: string;
  mic: string;
  currency: string;
  country: string;
  /** Twelve Data's instrument_type */
  type: 'Common Stock' | 'ETF' | 'Physical Currency' | 'Digital Currency';
}

const US = { currency: 'USD', country: 'United States' } as const;
const stock = (symbol: string, name: string, exchange: string, mic: string): FakeInstrument => ({
  symbol,
  name,
  exchange,
  mic,
  ...US,
  type: 'Common Stock',
});
const fund = (symbol: string, name: string, exchange: string, mic: string): FakeInstrument => ({
  symbol,
  name,
  exchange,
  mic,
  ...US,
  type: 'ETF',
});
const pair = (symbol: string, name: string, type: 'Physical Currency' | 'Digital Currency'): FakeInstrument => ({
  symbol,
  name,
  exchange: type === 'Physical Currency' ? 'Forex' : 'Coinbase Pro',
  mic: '',
  currency: symbol.slice(symbol.indexOf('/') + 1),
  country: '',
  type,
});

export const FAKE_INSTRUMENTS: readonly FakeInstrument[] = [
  stock('AAPL', 'Apple Inc', 'NASDAQ', 'XNGS'),
  stock('MSFT', 'Microsoft Corp', 'NASDAQ', 'XNGS'),
  stock('GOOGL', 'Alphabet Inc', 'NASDAQ', 'XNGS'),
  stock('AMZN', 'Amazon.com Inc', 'NASDAQ', 'XNGS'),
  stock('NVDA', 'NVIDIA Corp', 'NASDAQ', 'XNGS'),
  stock('TSLA', 'Tesla Inc', 'NASDAQ', 'XNGS'),
  stock('META', 'Meta Platforms Inc', 'NASDAQ', 'XNGS'),
  stock('JPM', 'JPMorgan Chase & Co', 'NYSE', 'XNYS'),
  stock('KO', 'Coca-Cola Co', 'NYSE', 'XNYS'),
  stock('BRK.B', 'Berkshire Hathaway Inc', 'NYSE', 'XNYS'),
  fund('SPY', 'SPDR S&P 500 ETF Trust', 'NYSE', 'ARCX'),
  fund('QQQ', 'Invesco QQQ Trust', 'NASDAQ', 'XNMS'),
  fund('VTI', 'Vanguard Total Stock Market ETF', 'NYSE', 'ARCX'),
  fund('VXUS', 'Vanguard Total International Stock ETF', 'NASDAQ', 'XNMS'),
  fund('BND', 'Vanguard Total Bond Market ETF', 'NASDAQ', 'XNMS'),
  fund('AGG', 'iShares Core US Aggregate Bond ETF', 'NYSE', 'ARCX'),
  fund('GLD', 'SPDR Gold Shares', 'NYSE', 'ARCX'),
  pair('EUR/USD', 'Euro / US Dollar', 'Physical Currency'),
  pair('GBP/USD', 'British Pound / US Dollar', 'Physical Currency'),
  pair('USD/JPY', 'US Dollar / Japanese Yen', 'Physical Currency'),
  pair('USD/CHF', 'US Dollar / Swiss Franc', 'Physical Currency'),
  pair('BTC/USD', 'Bitcoin US Dollar', 'Digital Currency'),
  pair('ETH/USD', 'Ethereum US Dollar', 'Digital Currency'),
];

const BY_SYMBOL = new Map(FAKE_INSTRUMENTS.map((instrument) => [instrument.symbol, instrument]));

/** How a fake spells a symbol it knows: a ticker, or a pair with a slash. */
const WELL_FORMED = /^[A-Z0-9][A-Z0-9.]{0,15}(?:\/[A-Z0-9]{2,10})?$/;

/** Symbols the fakes answer "not found" for by default (tests ask for them on purpose). */
export const DEFAULT_UNKNOWN_SYMBOLS: readonly string[] = ['NOSUCH', 'NOSUCH/USD'];

export function isKnownSymbol(symbol: string, unknown: ReadonlySet<string>): boolean {
  return WELL_FORMED.test(symbol) && !unknown.has(symbol);
}

/** The catalogue's entry, or a plausible one made up for a symbol outside it. */
export function instrumentOf(symbol: string): FakeInstrument {
  const listed = BY_SYMBOL.get(symbol);
  if (listed) return listed;
  const assetClass = fakeAssetClass(symbol);
  if (assetClass === 'fx') return pair(symbol, symbol.replace('/', ' / '), 'Physical Currency');
  if (assetClass === 'crypto') return pair(symbol, symbol.replace('/', ' '), 'Digital Currency');
  return stock(symbol, `${symbol} Holdings Inc`, 'NASDAQ', 'XNAS');
}

/** Symbols starting with the query first, then names containing it; case-insensitive. */
export function searchInstruments(query: string, limit: number): FakeInstrument[] {
  const needle = query.trim().toUpperCase();
  if (!needle) return [];
  const bySymbol = FAKE_INSTRUMENTS.filter((instrument) => instrument.symbol.startsWith(needle));
  const byName = FAKE_INSTRUMENTS.filter(
    (instrument) => !instrument.symbol.startsWith(needle) && instrument.name.toUpperCase().includes(needle),
  );
  return [...bySymbol, ...byName].slice(0, limit);
}
