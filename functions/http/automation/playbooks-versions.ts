import { boundAutomationPorts as ports } from '@ballast/adapters/automation-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { listVersions } from '@ballast/app/automation/handlers.js';
import { routes } from '@ballast/app/automation/routes.js';

export const handler = route(routes.listVersions, listVersions, { ports, secrets });
