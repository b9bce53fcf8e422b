import { route } from '@ballast/platform/http/route.js';
import { createTenant } from '@ballast/platform/services/tenants.js';

export const handler = route('tenants.create', createTenant);
