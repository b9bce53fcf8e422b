import type { ProviderRegistry } from '@ballast/app/market-data/provider.js';
import { polygonProvider } from './polygon/index.js';
import { twelveDataProvider } from './twelvedata/index.js';

/** Market-data adapters by the routing entry's `provider` name. */
export const MARKET_DATA_PROVIDERS: ProviderRegistry = {
  twelvedata: twelveDataProvider,
  polygon: polygonProvider,
};

export { polygonProvider, twelveDataProvider };
