import { MARKET_DATA_PROVIDERS as providers } from '@ballast/adapters/market-data/index.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { createTransaction } from '@ballast/app/portfolio/ledger-handlers.js';
import { pricedPortfolioPorts as priced } from '@ballast/app/portfolio/ports.js';
import { routes } from '@ballast/app/portfolio/routes.js';

export const handler = route(routes.recordTransaction, createTransaction, { ports: priced(providers), secrets });
