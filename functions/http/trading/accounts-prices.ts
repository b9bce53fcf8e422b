import { boundTradingPorts as ports } from '@ballast/adapters/trading-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { postPrices } from '@ballast/app/trading/handlers.js';
import { routes } from '@ballast/app/trading/routes.js';

export const handler = route(routes.postPrices, postPrices, { ports, secrets });
