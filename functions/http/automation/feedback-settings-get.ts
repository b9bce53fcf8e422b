import { boundAutomationPorts as ports } from '@ballast/adapters/automation-ports.js';
import { route } from '@ballast/platform/http/route.js';
import { getFeedbackSettings } from '@ballast/app/automation/feedback-handlers.js';
import { routes } from '@ballast/app/automation/feedback-routes.js';

export const handler = route(routes.getFeedbackSettings, getFeedbackSettings, { ports });
