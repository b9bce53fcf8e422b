import { route } from '@ballast/platform/http/route.js';
import { bootstrap } from '@ballast/platform/services/system.js';

export const handler = route('system.bootstrap', bootstrap);
