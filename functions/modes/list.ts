import { route } from '@ballast/platform/http/route.js';
import { listModes } from '@ballast/platform/services/modes.js';

export const handler = route('modes.list', listModes);
