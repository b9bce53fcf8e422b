import { route } from '@ballast/platform/http/route.js';
import { putMode } from '@ballast/platform/services/modes.js';

export const handler = route('modes.put', putMode);
