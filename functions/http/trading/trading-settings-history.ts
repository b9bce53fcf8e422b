import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { settingsHistory } from '@ballast/app/trading/handlers.js';
import { settingsPorts } from '@ballast/app/trading/ports.js';
import { routes } from '@ballast/app/trading/routes.js';

export const handler = route(routes.settingsHistory, settingsHistory, { ports: settingsPorts, secrets });
