import { route } from '@ballast/platform/http/route.js';
import { listProjects } from '@ballast/platform/services/control.js';

export const handler = route('projects.list', listProjects);
