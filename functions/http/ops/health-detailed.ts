import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';
import { detailed } from '@ballast/app/ops/handlers.js';
import { detailedHealthPorts } from '@ballast/app/ops/ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = route(routes.detailed, detailed, { ports: detailedHealthPorts, secrets: secretsManagerFetcher });
