import { route } from '@ballast/platform/http/route.js';
import { openapi } from '@ballast/platform/services/health.js';

export const handler = route('openapi.get', openapi);
