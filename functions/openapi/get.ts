import { route } from '@ballast/platform/http/route.js';
import { openapi } from '@ballast/platform/services/openapi.js';

export const handler = route('openapi.get', openapi);
