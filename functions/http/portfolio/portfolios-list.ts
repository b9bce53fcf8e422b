import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';
import { listPortfolios } from '@ballast/app/portfolio/handlers.js';
import { portfolioPorts } from '@ballast/app/portfolio/ports.js';
import { routes } from '@ballast/app/portfolio/routes.js';

export const handler = route(routes.list, listPortfolios, { ports: portfolioPorts, secrets: secretsManagerFetcher });
