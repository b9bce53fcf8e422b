import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { listBacktests } from '@ballast/app/research/backtest-handlers.js';
import { backtestPorts as ports } from '@ballast/app/research/ports.js';
import { routes } from '@ballast/app/research/routes.js';

export const handler = route(routes.listBacktests, listBacktests, { ports, secrets });
