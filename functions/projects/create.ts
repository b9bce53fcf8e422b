import { route } from '@ballast/platform/http/route.js';
import { createProject } from '@ballast/platform/services/projects.js';

export const handler = route('projects.create', createProject);
