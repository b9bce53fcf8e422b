import { route } from '@ballast/platform/http/route.js';
import { listMembers } from '@ballast/platform/services/members.js';

export const handler = route('members.list', listMembers);
