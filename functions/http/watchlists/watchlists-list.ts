import { boundWatchlistsPorts as ports } from '@ballast/adapters/watchlists-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { listWatchlists } from '@ballast/app/watchlists/handlers.js';
import { routes } from '@ballast/app/watchlists/routes.js';

export const handler = route(routes.listWatchlists, listWatchlists, { ports, secrets });
