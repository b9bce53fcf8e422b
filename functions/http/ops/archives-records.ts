import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';
import { archiveRecords } from '@ballast/app/ops/archive-handlers.js';
import { archivePorts as ports } from '@ballast/app/ops/archive-ports.js';
import { routes } from '@ballast/app/ops/routes.js';

export const handler = route(routes.archiveRecords, archiveRecords, { ports, secrets });
