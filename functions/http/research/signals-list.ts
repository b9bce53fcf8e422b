import { boundResearchPorts as ports } from '@ballast/adapters/research-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { listSignals } from '@ballast/app/research/handlers.js';
import { routes } from '@ballast/app/research/routes.js';

export const handler = route(routes.listSignals, listSignals, { ports, secrets });
