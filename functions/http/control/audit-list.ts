import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';
import { listAudit } from '@ballast/app/control/handlers.js';
import { controlPorts } from '@ballast/app/control/ports.js';
import { routes } from '@ballast/app/control/routes.js';

export const handler = route(routes.listAudit, listAudit, { ports: controlPorts, secrets: secretsManagerFetcher });
