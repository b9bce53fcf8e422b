import { route } from '@ballast/platform/http/route.js';
import { deleteApiKey } from '@ballast/platform/services/api-keys.js';

export const handler = route('apiKeys.delete', deleteApiKey);
