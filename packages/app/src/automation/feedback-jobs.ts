import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { feedbackJobPayload } from './feedback-schemas.js';

export const jobs = defineJobs('automation', {
  feedbackRun: {
    id: 'automation.feedback-run',
    summary:
      "Compares an active playbook's closed round trips with its backtest and acts: monitor, re-optimise (an " +
      "optimisation around its parameters) or disable (its strategy's budget to zero); daily at 00:30 UTC, and " +
      'after a cycle that closed a position',
    payload: feedbackJobPayload,
    // the budget is the trading settings (data); an optimisation books its plan job (the control table's due index)
    uses: { control: 'write', data: 'write' },
    timeoutSeconds: 120,
  },
});
