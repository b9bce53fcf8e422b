import { optimisationResults } from '@ballast/app/research/optimisation-handlers.js';
import { optimisationPorts as ports } from '@ballast/app/research/ports.js';
import { routes } from '@ballast/app/research/routes.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';

export const handler = route(routes.optimisationResults, optimisationResults, { ports, secrets });
