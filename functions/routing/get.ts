import { route } from '@ballast/platform/http/route.js';
import { getRouting } from '@ballast/platform/services/routing.js';

export const handler = route('routing.get', getRouting);
