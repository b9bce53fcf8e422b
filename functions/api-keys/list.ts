import { route } from '@ballast/platform/http/route.js';
import { listApiKeys } from '@ballast/platform/services/api-keys.js';

export const handler = route('apiKeys.list', listApiKeys);
