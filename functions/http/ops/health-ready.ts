import { route } from '@ballast/platform/http/route.js';
import { ready } from '@ballast/app/ops/handlers.js';
import { opsPorts } from '@ballast/app/ops/ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = route(routes.ready, ready, { ports: opsPorts });
