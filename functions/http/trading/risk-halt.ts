import { boundTradingPorts as ports } from '@ballast/adapters/trading-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { halt } from '@ballast/app/trading/handlers.js';
import { routes } from '@ballast/app/trading/routes.js';

export const handler = route(routes.halt, halt, { ports, secrets });
