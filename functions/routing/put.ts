import { route } from '@ballast/platform/http/route.js';
import { putRouting } from '@ballast/platform/services/routing.js';

export const handler = route('routing.put', putRouting);
