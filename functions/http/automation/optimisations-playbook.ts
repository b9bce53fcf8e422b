import { boundAutomationPorts as ports } from '@ballast/adapters/automation-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { playbookFromOptimisation, routes } from '@ballast/app/automation/optimisation-playbook.js';

export const handler = route(routes.playbookFromOptimisation, playbookFromOptimisation, { ports });
