import { MARKET_DATA_PROVIDERS as providers } from '@ballast/adapters/market-data/index.js';
import { route } from '@ballast/platform/http/route.js';
import { createSync } from '@ballast/app/market-data/handlers.js';
import { marketDataPorts as ports } from '@ballast/app/market-data/ports.js';
import { routes } from '@ballast/app/market-data/routes.js';

export const handler = route(routes.createSync, createSync, { ports: ports(providers) });
