import { route } from '@ballast/platform/http/route.js';
import { deleteMember } from '@ballast/platform/services/control.js';

export const handler = route('members.delete', deleteMember);
