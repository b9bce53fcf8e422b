import { route } from '@ballast/platform/http/route.js';
import { createApiKey } from '@ballast/platform/services/api-keys.js';

export const handler = route('apiKeys.create', createApiKey);
