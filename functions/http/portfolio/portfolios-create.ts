import { route } from '@ballast/platform/http/route.js';
import { createPortfolio } from '@ballast/app/portfolio/handlers.js';
import { portfolioPorts } from '@ballast/app/portfolio/ports.js';
import { routes } from '@ballast/app/portfolio/routes.js';

export const handler = route(routes.create, createPortfolio, { ports: portfolioPorts });
