import { boundRebalancePorts as ports } from '@ballast/adapters/planning-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { listRules } from '@ballast/app/planning/rules.js';
import { routes } from '@ballast/app/planning/routes.js';

export const handler = route(routes.listRules, listRules, { ports, secrets });
