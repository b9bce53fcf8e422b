import { route } from '@ballast/platform/http/route.js';
import { putMember } from '@ballast/platform/services/members.js';

export const handler = route('members.put', putMember);
