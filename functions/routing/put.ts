import { route } from '@ballast/platform/http/route.js';
import { putRouting } from '@ballast/platform/services/control.js';

export const handler = route('routing.put', putRouting);
