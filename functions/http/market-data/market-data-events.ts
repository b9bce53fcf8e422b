import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';
import { listEvents } from '@ballast/app/market-data/handlers.js';
import { storedPorts } from '@ballast/app/market-data/ports.js';
import { routes } from '@ballast/app/market-data/routes.js';

export const handler = route(routes.events, listEvents, { ports: storedPorts, secrets: secretsManagerFetcher });
