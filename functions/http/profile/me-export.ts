import { boundProfilePorts as ports } from '@ballast/adapters/profile-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { exportMe } from '@ballast/app/profile/handlers.js';
import { routes } from '@ballast/app/profile/routes.js';

export const handler = route(routes.exportMe, exportMe, { ports, secrets });
