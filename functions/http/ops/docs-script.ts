import { publicRoute } from '@ballast/platform/http/public-route.js';
import { docsScript } from '@ballast/app/ops/docs.js';
import { opsPorts } from '@ballast/app/ops/ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = publicRoute(routes.docsScript, docsScript, { ports: opsPorts });
