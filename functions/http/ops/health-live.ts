import { publicRoute } from '@ballast/platform/http/public-route.js';
import { live } from '@ballast/app/ops/handlers.js';
import { opsPorts } from '@ballast/app/ops/ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = publicRoute(routes.live, live, { ports: opsPorts });
