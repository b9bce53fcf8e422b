import { MARKET_DATA_PROVIDERS as providers } from '@ballast/adapters/market-data/index.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';
import { findSymbols } from '@ballast/app/market-data/handlers.js';
import { marketDataPorts as ports } from '@ballast/app/market-data/ports.js';
import { routes } from '@ballast/app/market-data/routes.js';

export const handler = route(routes.symbols, findSymbols, { ports: ports(providers), secrets: secretsManagerFetcher });
