import { route } from '@ballast/platform/http/route.js';
import { getTenant } from '@ballast/platform/services/tenants.js';

export const handler = route('tenants.get', getTenant);
