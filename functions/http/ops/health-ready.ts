import { publicRoute } from '@ballast/platform/http/public-route.js';
import { ready } from '@ballast/app/ops/handlers.js';
import { opsPorts } from '@ballast/app/ops/ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = publicRoute(routes.ready, ready, { ports: opsPorts });
