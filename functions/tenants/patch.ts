import { route } from '@ballast/platform/http/route.js';
import { patchTenant } from '@ballast/platform/services/control.js';

export const handler = route('tenants.patch', patchTenant);
