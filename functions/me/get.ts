import { route } from '@ballast/platform/http/route.js';
import { me } from '@ballast/platform/services/control.js';

export const handler = route('me.get', me);
