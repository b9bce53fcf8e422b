import { defineJobs } from '@ballast/platform/jobs/define-job.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { EXECUTION_ID, RULE_ID, SCHEDULE_ID } from './ids.js';
import { portfolioParams } from './schemas.js';

/** How often a portfolio's stop-loss rules are checked against the latest quotes. */
export const STOP_LOSS_WATCH_INTERVAL_MS = 60_000;
/** How often an execution waiting on its sells' fills looks again, and for how long at most. */
export const FILL_WAIT_INTERVAL_MS = 60_000;
export const FILL_WAIT_LIMIT_MS = 30 * 60_000;

const withId = (field: string, pattern: RegExp, what: string) =>
  lazy(() => z.extend(portfolioParams(), { [field]: z.string().check(z.regex(pattern, `is not ${what}`)) }));
// orders go through the trading desk: prices from market data, the broker's key for PAPER/LIVE
/** trades, and tells the user when a scheduled run fails (`schedule.failed`) */
const trades = { control: 'write', data: 'write', secrets: ['tenant'], notify: 'send', keys: 'wrap' } as const;

export const jobs = defineJobs('planning', {
  rebalanceRun: {
    id: 'planning.rebalance-run',
    summary:
      "Runs a rebalancing schedule's slot once: a proposal, and in execute mode on an AUTONOMOUS account its " +
      'execution; records the run and schedules the next slot (after an outage: one catch-up run, then the next ' +
      'slot from now)',
    payload: withId('scheduleId', SCHEDULE_ID, 'a schedule id'),
    uses: trades,
    timeoutSeconds: 120,
  },
  executionContinue: {
    id: 'planning.execution-continue',
    summary:
      "Places an execution's buys once its sells have filled (their cash depends on the proceeds), scaled to " +
      'the cash the fills left; looks again every minute, for 30 minutes at most',
    payload: withId('executionId', EXECUTION_ID, 'an execution id'),
    uses: trades,
    timeoutSeconds: 120,
  },
  dcaRun: {
    id: 'planning.dca-run',
    summary:
      "Runs a DCA rule's slot once: buys the rule's amount of its symbol (under its price ceiling), records the run",
    payload: withId('ruleId', RULE_ID, 'a rule id'),
    uses: trades,
    timeoutSeconds: 60,
  },
  stopLossWatch: {
    id: 'planning.stop-loss-watch',
    summary:
      "Checks a portfolio's stop-loss rules against the latest quotes every minute; a crossed stop sells the " +
      'whole position through the trading desk and disables its rule',
    payload: lazy(() => portfolioParams()),
    uses: trades,
    timeoutSeconds: 60,
  },
});
