import { route } from '@ballast/platform/http/route.js';
import { listProjects } from '@ballast/platform/services/projects.js';

export const handler = route('projects.list', listProjects);
