import { route } from '@ballast/platform/http/route.js';
import { deleteCategory } from '@ballast/app/planning/handlers.js';
import { planningPorts as ports } from '@ballast/app/planning/ports.js';
import { routes } from '@ballast/app/planning/routes.js';

export const handler = route(routes.deleteCategory, deleteCategory, { ports });
