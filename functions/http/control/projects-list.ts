import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';
import { listProjects } from '@ballast/app/control/handlers.js';
import { controlPorts } from '@ballast/app/control/ports.js';
import { routes } from '@ballast/app/control/routes.js';

const options = { ports: controlPorts, secrets: secretsManagerFetcher };
export const handler = route(routes.listProjects, listProjects, options);
