import { boundResearchPorts as ports } from '@ballast/adapters/research-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { cancelSignal } from '@ballast/app/research/handlers.js';
import { routes } from '@ballast/app/research/routes.js';

export const handler = route(routes.cancelSignal, cancelSignal, { ports });
