import { boundTradingPorts as ports } from '@ballast/adapters/trading-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { createTradeLog } from '@ballast/app/trading/trade-log-handlers.js';
import { routes } from '@ballast/app/trading/journal-routes.js';

export const handler = route(routes.createTradeLog, createTradeLog, { ports });
