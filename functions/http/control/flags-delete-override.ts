import { route } from '@ballast/platform/http/route.js';
import { deleteFlagOverride } from '@ballast/app/control/handlers.js';
import { controlPorts } from '@ballast/app/control/ports.js';
import { routes } from '@ballast/app/control/routes.js';

export const handler = route(routes.deleteFlagOverride, deleteFlagOverride, { ports: controlPorts });
