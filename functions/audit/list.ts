import { route } from '@ballast/platform/http/route.js';
import { listAudit } from '@ballast/platform/services/audit.js';

export const handler = route('audit.list', listAudit);
