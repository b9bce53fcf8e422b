import { boundTradingPorts as ports } from '@ballast/adapters/trading-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { getAccount } from '@ballast/app/trading/handlers.js';
import { routes } from '@ballast/app/trading/routes.js';

export const handler = route(routes.getAccount, getAccount, { ports });
