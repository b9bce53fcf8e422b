import { route } from '@ballast/platform/http/route.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';
import { bootstrap } from '@ballast/platform/services/system.js';

export const handler = route('system.bootstrap', bootstrap, { secrets: secretsManagerFetcher });
