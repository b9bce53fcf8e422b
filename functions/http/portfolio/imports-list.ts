import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { listImports } from '@ballast/app/portfolio/ledger-handlers.js';
import { portfolioPorts as ports } from '@ballast/app/portfolio/ports.js';
import { routes } from '@ballast/app/portfolio/routes.js';

export const handler = route(routes.listImports, listImports, { ports: ports, secrets });
