import { route } from '@ballast/platform/http/route.js';
import { uploadCandles } from '@ballast/app/market-data/handlers.js';
import { storedPorts } from '@ballast/app/market-data/ports.js';
import { routes } from '@ballast/app/market-data/routes.js';

export const handler = route(routes.uploadCandles, uploadCandles, { ports: storedPorts });
