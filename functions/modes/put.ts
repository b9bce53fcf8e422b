import { route } from '@ballast/platform/http/route.js';
import { putMode } from '@ballast/platform/services/control.js';

export const handler = route('modes.put', putMode);
