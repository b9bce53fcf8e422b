import { route } from '@ballast/platform/http/route.js';
import { deleteApiKey } from '@ballast/platform/services/control.js';

export const handler = route('apiKeys.delete', deleteApiKey);
