import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { alertCheckPayload } from './schemas.js';

export const jobs = defineJobs('watchlists', {
  alertCheck: {
    id: 'watchlists.alert-check',
    summary:
      "Checks every alert level of the tenant's watchlist items against the latest prices: a crossing notifies " +
      'the owner once (the item remembers it), a price back over the level re-arms it; runs again a minute later ' +
      'while any alert is set',
    payload: alertCheckPayload,
    // prices through market data (the quote cache, the provider key's bucket in control, its secret);
    // control: the next run on the due index
    uses: { control: 'write', data: 'write', secrets: ['tenant'], notify: 'send', keys: 'wrap' },
    timeoutSeconds: 120,
  },
});
