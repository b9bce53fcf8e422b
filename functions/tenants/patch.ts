import { route } from '@ballast/platform/http/route.js';
import { patchTenant } from '@ballast/platform/services/tenants.js';

export const handler = route('tenants.patch', patchTenant);
