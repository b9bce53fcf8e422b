import { route } from '@ballast/platform/http/route.js';
import { deleteMember } from '@ballast/platform/services/members.js';

export const handler = route('members.delete', deleteMember);
