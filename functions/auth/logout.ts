import { route } from '@ballast/platform/http/route.js';
import { logout } from '@ballast/platform/services/identity.js';

export const handler = route('auth.logout', logout);
