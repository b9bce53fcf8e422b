import { route } from '@ballast/platform/http/route.js';
import { ready } from '@ballast/platform/services/health.js';

export const handler = route('health.ready', ready);
