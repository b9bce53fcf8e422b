import { boundAutomationPorts as ports } from '@ballast/adapters/automation-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { listSnapshots } from '@ballast/app/automation/feedback-handlers.js';
import { routes } from '@ballast/app/automation/feedback-routes.js';

export const handler = route(routes.listSnapshots, listSnapshots, { ports, secrets });
