import { route } from '@ballast/platform/http/route.js';
import { live } from '@ballast/platform/services/health.js';

export const handler = route('health.live', live);
