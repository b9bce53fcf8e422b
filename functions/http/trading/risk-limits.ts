import { route } from '@ballast/platform/http/route.js';
import { hardLimits } from '@ballast/app/trading/handlers.js';
import { settingsPorts } from '@ballast/app/trading/ports.js';
import { routes } from '@ballast/app/trading/routes.js';

export const handler = route(routes.hardLimits, hardLimits, { ports: settingsPorts });
