import { boundTradingPorts as ports } from '@ballast/adapters/trading-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { getEntry } from '@ballast/app/trading/journal-handlers.js';
import { routes } from '@ballast/app/trading/journal-routes.js';

export const handler = route(routes.getEntry, getEntry, { ports });
