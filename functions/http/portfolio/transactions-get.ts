import { route } from '@ballast/platform/http/route.js';
import { getTransaction } from '@ballast/app/portfolio/ledger-handlers.js';
import { portfolioPorts as ports } from '@ballast/app/portfolio/ports.js';
import { routes } from '@ballast/app/portfolio/routes.js';

export const handler = route(routes.getTransaction, getTransaction, { ports: ports });
