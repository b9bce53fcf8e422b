import { boundPlanningPorts as ports } from '@ballast/adapters/planning-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { getAllocation } from '@ballast/app/planning/handlers.js';
import { routes } from '@ballast/app/planning/routes.js';

export const handler = route(routes.allocation, getAllocation, { ports, secrets });
