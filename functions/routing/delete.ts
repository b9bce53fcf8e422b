import { route } from '@ballast/platform/http/route.js';
import { deleteRouting } from '@ballast/platform/services/control.js';

export const handler = route('routing.delete', deleteRouting);
