import { publicRoute } from '@ballast/platform/http/public-route.js';
import { docs } from '@ballast/app/ops/docs.js';
import { opsPorts } from '@ballast/app/ops/ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = publicRoute(routes.docs, docs, { ports: opsPorts });
