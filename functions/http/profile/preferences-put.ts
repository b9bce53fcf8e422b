import { boundProfilePorts as ports } from '@ballast/adapters/profile-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { putPreferences } from '@ballast/app/profile/handlers.js';
import { routes } from '@ballast/app/profile/routes.js';

export const handler = route(routes.putPreferences, putPreferences, { ports });
