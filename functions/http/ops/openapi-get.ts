import { publicRoute } from '@ballast/platform/http/public-route.js';
import { openapi } from '@ballast/app/ops/openapi-served.js';
import { opsPorts } from '@ballast/app/ops/ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = publicRoute(routes.openapi, openapi, { ports: opsPorts });
