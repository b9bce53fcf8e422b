import { boundRebalancePorts as ports } from '@ballast/adapters/planning-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { getExecution } from '@ballast/app/planning/rebalance-handlers.js';
import { routes } from '@ballast/app/planning/routes.js';

export const handler = route(routes.getExecution, getExecution, { ports });
