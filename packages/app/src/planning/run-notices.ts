import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { NotificationRecord } from '../watchlists/index.js';
import type { Acting } from './rebalance.js';

/** A scheduled run that failed: whose it is, and what to say. */
export interface FailedRun {
  /** the schedule's or rule's creator (absent on records made before it was kept) */
  createdBy?: string;
  /** the account it trades through: its owner is told when the creator cannot be */
  accountId?: string;
  subject: string;
  body: string;
  /** the run's record, for the reader (`portfolios/<id>/rebalance/executions/<id>`) */
  resource: string;
}

/**
 * Stages, in the unit of work that records the run as failed, one `schedule.failed` notification
 * for whoever set it up: its creator, else the owner of its account (whichever is a member of the
 * tenant now; an API key's principal is no one to tell). The run's record commits once, so the
 * run notifies once. Send the answer with `sendRunNotices` after the commit.
 */
export async function stageRunFailed(a: Acting, uow: UnitOfWork, run: FailedRun): Promise<NotificationRecord[]> {
  const notices = a.ports.notices();
  if (!notices) return [];
  const account = run.accountId ? await a.ports.trading.getAccount(run.accountId) : undefined;
  const [owner] = await notices.recipients({ users: [run.createdBy, account?.createdBy] });
  if (!owner) return [];
  const { subject, body, resource } = run;
  return notices.stage(uow, [owner], { kind: 'schedule.failed', subject, body, resource });
}

/** Sends the notices of a committed failed run (never throws). */
export async function sendRunNotices(a: Pick<Acting, 'ports'>, records: readonly NotificationRecord[]): Promise<void> {
  await a.ports.notices()?.deliver(records);
}
