import { route } from '@ballast/platform/http/route.js';
import { listMembers } from '@ballast/platform/services/control.js';

export const handler = route('members.list', listMembers);
