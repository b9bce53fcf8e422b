import { CURRENCY_MINOR_UNITS } from '@ballast/core/currencies.js';

// Kraken's asset codes. Older assets carry a class prefix, X for crypto and Z for fiat (XXBT,
// XETH, ZUSD, ZEUR); newer ones do not (DOT, SOL, USDC), and Kraken calls bitcoin XBT. Staked and
// other sub-balances carry a suffix (ETH2.S, DOT.S, USDC.M, ETH.F, DOT.P, USD.HOLD).

/** Legacy and Kraken-only codes → the symbol everyone else uses. */
export const KRAKEN_ASSET_CODES: Readonly<Record<string, string>> = Object.freeze({
  XXBT: 'BTC',
  XBT: 'BTC',
  XETH: 'ETH',
  XETC: 'ETC',
  XXRP: 'XRP',
  XLTC: 'LTC',
  XXLM: 'XLM',
  XXDG: 'DOGE',
  XDG: 'DOGE',
  XXMR: 'XMR',
  XZEC: 'ZEC',
  XREP: 'REP',
  XMLN: 'MLN',
  XICN: 'ICN',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ZCAD: 'CAD',
  ZAUD: 'AUD',
  ZCHF: 'CHF',
});

/** Asset codes that are not a spot balance of their own: ETH2 is staked ether, like anything with a suffix. */
const STAKED = /\.[A-Z]+$|^ETH2$/;

export interface KrakenAsset {
  /** The common symbol ("BTC", "EUR"), suffix kept for sub-balances ("DOT.S"). */
  code: string;
  fiat: boolean;
  /** Staked, opt-in rewards, parachain or held balances: not spot holdings the ledger can book. */
  staked: boolean;
}

export function krakenAsset(raw: string): KrakenAsset {
  const upper = raw.trim().toUpperCase();
  const staked = STAKED.test(upper);
  const dot = upper.indexOf('.');
  const base = dot < 0 ? upper : upper.slice(0, dot);
  const code = (KRAKEN_ASSET_CODES[base] ?? base) + (dot < 0 ? '' : upper.slice(dot));
  return { code, fiat: !staked && isFiat(code), staked };
}

export function isFiat(code: string): boolean {
  return Object.hasOwn(CURRENCY_MINOR_UNITS, code);
}

/**
 * Codes a pair may end with, longest first, so "ETHUSDT" splits as ETH/USDT and not ETHU/SDT…
 * ETH/USD. Legacy quotes (ZUSD, XXBT) come first: "XXBTZUSD" is XXBT + ZUSD.
 */
const QUOTES = [
  ...Object.keys(KRAKEN_ASSET_CODES).filter((code) => code.length === 4),
  'USDT',
  'USDC',
  'PYUSD',
  'DAI',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'CAD',
  'AUD',
  'CHF',
  'XBT',
  'BTC',
  'ETH',
  'DOT',
  'SOL',
].sort((a, b) => b.length - a.length);

/**
 * A trades-export pair → base and quote: "XXBTZUSD" → BTC/USD, "XETHZEUR" → ETH/EUR, "XBTUSD" →
 * BTC/USD, "ETHUSDT" → ETH/USDT, "BTC/USD" → BTC/USD. Undefined when no known quote ends it.
 */
export function splitKrakenPair(raw: string): { base: KrakenAsset; quote: KrakenAsset } | undefined {
  const pair = raw.trim().toUpperCase();
  const slash = pair.indexOf('/');
  if (slash > 0 && slash < pair.length - 1) {
    return { base: krakenAsset(pair.slice(0, slash)), quote: krakenAsset(pair.slice(slash + 1)) };
  }
  for (const quote of QUOTES) {
    if (pair.length > quote.length && pair.endsWith(quote)) {
      return { base: krakenAsset(pair.slice(0, -quote.length)), quote: krakenAsset(quote) };
    }
  }
  return undefined;
}
