import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import { accountParams } from './schemas.js';

/** How often a PAPER or LIVE account's working orders are compared with the broker's (Lambda holds no socket). */
export const ORDER_SYNC_INTERVAL_MS = 60_000;

export const jobs = defineJobs('trading', {
  orderSync: {
    id: 'trading.order-sync',
    summary:
      "Polls the broker for an account's working orders: new fills post to the ledger, ended orders release " +
      'their reservation; an order whose submission timed out is found by its client order id. Re-schedules ' +
      'itself while anything is still working',
    payload: lazy(() => accountParams()),
    uses: { control: 'write', data: 'write', secrets: ['tenant'], notify: 'send', keys: 'wrap' },
    timeoutSeconds: 120,
  },
  dailyReset: {
    id: 'trading.daily-reset',
    summary:
      "Starts an account's trading day at the tenant's local midnight (the settings' time zone): daily P&L " +
      "to zero, the day's base equity to the equity now; re-schedules itself for the next midnight",
    payload: lazy(() => accountParams()),
    uses: { control: 'write', data: 'write' },
    timeoutSeconds: 30,
  },
});
