import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { jobs as feedbackJobs } from './feedback-jobs.js';
import { playbookParams } from './schemas.js';

const cycleJobs = defineJobs('automation', {
  cycleRun: {
    id: 'automation.cycle-run',
    summary:
      "Runs an active playbook's trading cycle for one slot of its schedule, once (supervisor → strategy → " +
      'risk → execution, each step a decision); books the next slot from now, so an outage costs one late run',
    payload: playbookParams,
    // orders go through the trading desk: prices from market data, the broker's key for PAPER/LIVE
    uses: { control: 'write', data: 'write', secrets: ['tenant'], notify: 'send', keys: 'wrap' },
    timeoutSeconds: 120,
  },
});

/** The automation context's jobs: the cycle above, the feedback loop in its own file. */
export const jobs = { ...cycleJobs, ...feedbackJobs };
