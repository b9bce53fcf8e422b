import { boundAutomationPorts as ports } from '@ballast/adapters/automation-ports.js';
import { runScheduledFeedback } from '@ballast/app/automation/feedback-handlers.js';
import { jobs } from '@ballast/app/automation/feedback-jobs.js';
import { job } from '@ballast/platform/jobs/worker.js';

export const handler = job(jobs.feedbackRun, runScheduledFeedback, { ports });
