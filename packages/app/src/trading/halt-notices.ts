import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type { NotificationRecord, Notices } from '../watchlists/index.js';
import { tradingStateOf } from './risk.js';
import { currentSettings } from './settings.js';
import type { Account, RiskRecord, TradingState, TradingStore } from './store.js';

/** How far a state restricts trading: a halt is a move up this scale. */
const RESTRICTION: Readonly<Record<TradingState, number>> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/**
 * Whether the change from `before` to `after` halts the account: ACTIVE → REDUCING (reduce-only),
 * or into HALTED (the circuit breaker, by hand or tripped). A halt asked for while the account is
 * already there is no transition, and tells nobody.
 */
export function haltsTrading(before: RiskRecord, after: RiskRecord): boolean {
  return RESTRICTION[tradingStateOf(after)] > RESTRICTION[tradingStateOf(before)];
}

/**
 * What a halt notice says, and about what. `reason` is the halt's own (a manual halt's caller and
 * reason; else the breaker's reason, e.g. the drawdown that tripped it).
 */
export function haltNotice(
  account: Pick<Account, 'accountId' | 'name' | 'projectId'>,
  after: RiskRecord,
  reason?: string,
) {
  const halted = tradingStateOf(after) === 'HALTED';
  const why = reason ?? after.state.emergencyShutdown.reason ?? 'the circuit breaker tripped';
  const until = 'until an admin resets it (POST /v1/risk/emergency/reset)';
  return {
    kind: 'risk.halt' as const,
    subject: `Trading ${halted ? 'halted' : 'reduced to closing orders'} on ${account.name}`,
    body:
      `Account ${account.name} (${account.accountId}, project ${account.projectId}) is ` +
      `${halted ? 'HALTED' : 'REDUCING'} since ${after.updatedAt}: ${why}. ` +
      (halted ? `Every order is refused ${until}.` : `Only orders that shrink a position pass ${until}.`),
    resource: `accounts/${account.accountId}`,
  };
}

/**
 * Stages, in the unit of work that writes the halt, one notification for the account's owner and
 * each admin of the tenant (an admin resets the breaker) — unless the tenant's trading settings
 * turned halt notices off (`notifications.riskHalt`). Nothing when the change is no halt or no
 * notices are bound. Send the answer with `notices.deliver` once the unit of work has committed.
 */
export async function stageHaltNotices(
  notices: Notices | undefined,
  store: TradingStore,
  uow: UnitOfWork,
  halt: { account: Account; before: RiskRecord; after: RiskRecord; reason?: string },
): Promise<NotificationRecord[]> {
  if (!notices || !haltsTrading(halt.before, halt.after)) return [];
  if (!(await currentSettings(store)).notifications.riskHalt) return [];
  return notices.tell(
    uow,
    { users: [halt.account.createdBy], roles: ['admin'] },
    haltNotice(halt.account, halt.after, halt.reason),
  );
}
