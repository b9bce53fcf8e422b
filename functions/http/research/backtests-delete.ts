import { route } from '@ballast/platform/http/route.js';
import { deleteBacktest } from '@ballast/app/research/backtest-handlers.js';
import { backtestPorts as ports } from '@ballast/app/research/ports.js';
import { routes } from '@ballast/app/research/routes.js';

export const handler = route(routes.deleteBacktest, deleteBacktest, { ports });
