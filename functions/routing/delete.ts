import { route } from '@ballast/platform/http/route.js';
import { deleteRouting } from '@ballast/platform/services/routing.js';

export const handler = route('routing.delete', deleteRouting);
