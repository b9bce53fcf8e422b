import { route } from '@ballast/platform/http/route.js';
import { me } from '@ballast/platform/services/identity.js';

export const handler = route('me.get', me);
