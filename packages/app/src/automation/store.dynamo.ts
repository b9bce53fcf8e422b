import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteExisting, putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, MAX_TRANSACTION_WRITES, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict, preconditionFailed } from '@ballast/platform/errors.js';
import {
  type Agent,
  type AutomationDecision,
  type AutomationStore,
  type Cycle,
  type DecisionQuery,
  type FeedbackDecision,
  type FeedbackQuery,
  type FeedbackSettings,
  type HaltState,
  MAX_ACTIVE_PLAYBOOKS,
  type Playbook,
  type PlaybookStatus,
  type PerformanceSnapshot,
  type SnapshotQuery,
} from './store.js';

/**
 * One partition per project holds its automation records; the halt switch lives in a partition of
 * the tenant (it stops every project). A playbook's versions sit beside it, zero-padded so they
 * sort; the active claim `ACTIVEPLAYBOOK#<strategy>#<symbol>#<account>` is written in the same
 * transaction as the activation, so two activations at the same moment cannot both win. A cycle's
 * decisions are keyed by the cycle (newest cycle first), and indexed by playbook in GSI1.
 */
const partition = (scope: { tenantId: string; projectId: string }) =>
  `TENANT#${scope.tenantId}#PROJECT#${scope.projectId}#AUTOMATION`;
const tenantPartition = (tenantId: string) => `TENANT#${tenantId}#AUTOMATION`;
const PLAYBOOK = 'PLAYBOOK#';
const VERSION = 'PLAYBOOKVERSION#';
const ACTIVE = 'ACTIVEPLAYBOOK#';
const CYCLE = 'CYCLE#';
const DECISION = 'AUTODECISION#';
const SLOT = 'CYCLESLOT#';
const AGENT = 'AGENT#';
const HALT = 'HALT';
const FEEDBACK = 'FEEDBACK#';
const SNAPSHOT = 'SNAPSHOT#';
const FEEDBACK_RUN = 'FEEDBACKRUN#';
const FEEDBACK_SETTINGS = 'FEEDBACKSETTINGS';
/** slot claims outlive any redelivery by far; TTL clears them after 90 days */
const SLOT_CLAIM_SECONDS = 90 * 24 * 3600;
/** a draft's delete removes its kept versions in the same transaction, the playbook's own write beside them */
const MAX_DELETED_VERSIONS = MAX_TRANSACTION_WRITES - 5;

const versionKey = (version: number) => String(version).padStart(8, '0');
const raced = (what: string) => () => conflict('WRITE_CONFLICT', `The ${what} changed while this was written; retry`);
const stale = () => preconditionFailed('The playbook changed since you read it; re-read and retry');
const claimOf = (p: Pick<Playbook, 'strategy' | 'symbol' | 'accountId'>) => `${p.strategy}#${p.symbol}#${p.accountId}`;

export class DynamoAutomationStore implements AutomationStore {
  private readonly pk: string;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: { tenantId: string; projectId: string },
  ) {
    this.pk = partition(scope);
  }

  private key(prefix: string, id: string) {
    return { PK: this.pk, SK: `${prefix}${id}` };
  }

  private byPlaybook(playbookId: string, what: 'CYCLES' | 'DECISIONS' | 'FEEDBACK' | 'SNAPSHOTS') {
    return `${this.pk}#${PLAYBOOK}${playbookId}#${what}`;
  }

  private async getItem<T>(key: { PK: string; SK: string }): Promise<T | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return withoutKeys<T>(res.Item);
  }

  getPlaybook(playbookId: string): Promise<Playbook | undefined> {
    return this.getItem<Playbook>(this.key(PLAYBOOK, playbookId));
  }

  listPlaybooks(page: PageRequest & { status?: PlaybookStatus }): Promise<Page<Playbook>> {
    const { status, ...rest } = page;
    return queryPage<Playbook>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: PLAYBOOK,
      forward: false,
      ...rest,
      ...(status
        ? { filter: { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': status } } }
        : {}),
    });
  }

  listVersions(playbookId: string, page: PageRequest): Promise<Page<Playbook>> {
    return queryPage<Playbook>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: `${VERSION}${playbookId}#`,
      forward: false,
      ...page,
    });
  }

  private keepVersion(uow: UnitOfWork, playbook: Playbook): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(VERSION, `${playbook.playbookId}#${versionKey(playbook.version)}`), {
        ...playbook,
      }),
      stale,
    );
  }

  private claim(uow: UnitOfWork, playbook: Playbook): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(ACTIVE, claimOf(playbook)), { playbookId: playbook.playbookId }),
      () =>
        conflict(
          'PLAYBOOK_ACTIVE_EXISTS',
          `Another playbook is active for ${playbook.strategy} on ${playbook.symbol} in account ${playbook.accountId}`,
        ),
    );
  }

  private release(uow: UnitOfWork, playbook: Playbook): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, this.key(ACTIVE, claimOf(playbook))), stale);
  }

  createPlaybook(uow: UnitOfWork, playbook: Playbook): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(PLAYBOOK, playbook.playbookId), { ...playbook }),
      raced('playbook'),
    );
    this.keepVersion(uow, playbook);
  }

  replacePlaybook(uow: UnitOfWork, before: Playbook, after: Playbook): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(PLAYBOOK, after.playbookId), { ...after }, before.version),
      stale,
    );
    this.keepVersion(uow, after);
    const wasActive = before.status === 'active';
    const isActive = after.status === 'active';
    if (wasActive && (!isActive || claimOf(before) !== claimOf(after))) this.release(uow, before);
    if (isActive && (!wasActive || claimOf(before) !== claimOf(after))) this.claim(uow, after);
  }

  async deletePlaybook(uow: UnitOfWork, playbook: Playbook): Promise<void> {
    const versions = await queryAll<Playbook>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: `${VERSION}${playbook.playbookId}#`,
      maxItems: MAX_DELETED_VERSIONS,
    });
    const work = dynamoUnitOfWork(uow);
    work.stage(
      {
        Delete: {
          TableName: this.table,
          Key: this.key(PLAYBOOK, playbook.playbookId),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': playbook.version },
        },
      },
      stale,
    );
    for (const v of versions) {
      work.stage({
        Delete: { TableName: this.table, Key: this.key(VERSION, `${v.playbookId}#${versionKey(v.version)}`) },
      });
    }
    work.stage({ Delete: { TableName: this.table, Key: this.key(AGENT, playbook.playbookId) } });
  }

  getCycle(cycleId: string): Promise<Cycle | undefined> {
    return this.getItem<Cycle>(this.key(CYCLE, cycleId));
  }

  listCycles(page: PageRequest & { playbookId?: string }): Promise<Page<Cycle>> {
    const { playbookId, ...rest } = page;
    if (playbookId) {
      return queryPage<Cycle>(this.db, {
        table: this.table,
        pk: this.byPlaybook(playbookId, 'CYCLES'),
        index: 'GSI1',
        forward: false,
        ...rest,
      });
    }
    return queryPage<Cycle>(this.db, { table: this.table, pk: this.pk, prefix: CYCLE, forward: false, ...rest });
  }

  putCycle(uow: UnitOfWork, cycle: Cycle, expectedVersion: number | undefined): void {
    const item = { ...cycle, GSI1PK: this.byPlaybook(cycle.playbookId, 'CYCLES'), GSI1SK: cycle.cycleId };
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(CYCLE, cycle.cycleId), item, expectedVersion),
      raced('cycle'),
    );
  }

  listDecisions(query: DecisionQuery): Promise<Page<AutomationDecision>> {
    const { playbookId, cycleId, ...page } = query;
    if (cycleId) {
      return queryPage<AutomationDecision>(this.db, {
        table: this.table,
        pk: this.pk,
        prefix: `${DECISION}${cycleId}#`,
        forward: false,
        ...page,
        ...(playbookId
          ? {
              filter: {
                expression: '#playbook = :playbook',
                names: { '#playbook': 'playbookId' },
                values: { ':playbook': playbookId },
              },
            }
          : {}),
      });
    }
    if (playbookId) {
      return queryPage<AutomationDecision>(this.db, {
        table: this.table,
        pk: this.byPlaybook(playbookId, 'DECISIONS'),
        index: 'GSI1',
        forward: false,
        ...page,
      });
    }
    return queryPage<AutomationDecision>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: DECISION,
      forward: false,
      ...page,
    });
  }

  putDecision(uow: UnitOfWork, decision: AutomationDecision): void {
    const position = `${decision.cycleId}#${decision.stepIndex}`;
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(DECISION, position), {
        ...decision,
        GSI1PK: this.byPlaybook(decision.playbookId, 'DECISIONS'),
        GSI1SK: position,
      }),
      raced('decision'),
    );
  }

  claimSlot(uow: UnitOfWork, playbookId: string, slot: string): void {
    const ttl = Math.floor(Date.parse(slot) / 1000) + SLOT_CLAIM_SECONDS;
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(SLOT, `${playbookId}#${slot}`), { playbookId, slot, ttl }),
      () => conflict('SLOT_ALREADY_RUN', `${playbookId} already ran for ${slot}`),
    );
  }

  getAgent(playbookId: string): Promise<Agent | undefined> {
    return this.getItem<Agent>(this.key(AGENT, playbookId));
  }

  activePlaybooks(): Promise<Playbook[]> {
    return queryAll<Playbook>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: PLAYBOOK,
      maxItems: MAX_ACTIVE_PLAYBOOKS,
      filter: { expression: '#status = :active', names: { '#status': 'status' }, values: { ':active': 'active' } },
    });
  }

  putAgent(uow: UnitOfWork, agent: Agent, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(AGENT, agent.playbookId), { ...agent }, expectedVersion),
      raced('agent'),
    );
  }

  listFeedback(query: FeedbackQuery): Promise<Page<FeedbackDecision>> {
    const { playbookId, ...page } = query;
    if (playbookId) {
      return queryPage<FeedbackDecision>(this.db, {
        table: this.table,
        pk: this.byPlaybook(playbookId, 'FEEDBACK'),
        index: 'GSI1',
        forward: false,
        ...page,
      });
    }
    return queryPage<FeedbackDecision>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: FEEDBACK,
      forward: false,
      ...page,
    });
  }

  getFeedback(decisionId: string): Promise<FeedbackDecision | undefined> {
    return this.getItem<FeedbackDecision>(this.key(FEEDBACK, decisionId));
  }

  putFeedback(uow: UnitOfWork, decision: FeedbackDecision, snapshot: PerformanceSnapshot): void {
    const work = dynamoUnitOfWork(uow);
    work.stage(
      putIfAbsent(this.table, this.key(FEEDBACK, decision.decisionId), {
        ...decision,
        GSI1PK: this.byPlaybook(decision.playbookId, 'FEEDBACK'),
        GSI1SK: decision.decisionId,
      }),
      raced('feedback decision'),
    );
    work.stage(
      putIfAbsent(this.table, this.key(SNAPSHOT, snapshot.snapshotId), {
        ...snapshot,
        GSI1PK: this.byPlaybook(snapshot.playbookId, 'SNAPSHOTS'),
        GSI1SK: snapshot.snapshotId,
      }),
      raced('snapshot'),
    );
  }

  listSnapshots(query: SnapshotQuery): Promise<Page<PerformanceSnapshot>> {
    const { playbookId, from, to, ...page } = query;
    const bounds: string[] = [];
    const values: Record<string, unknown> = {};
    if (from) {
      bounds.push('#asOf >= :from');
      values[':from'] = from;
    }
    if (to) {
      bounds.push('#asOf <= :to');
      values[':to'] = to;
    }
    const filter = bounds.length
      ? { filter: { expression: bounds.join(' AND '), names: { '#asOf': 'asOf' }, values } }
      : {};
    if (playbookId) {
      return queryPage<PerformanceSnapshot>(this.db, {
        table: this.table,
        pk: this.byPlaybook(playbookId, 'SNAPSHOTS'),
        index: 'GSI1',
        forward: false,
        ...page,
        ...filter,
      });
    }
    return queryPage<PerformanceSnapshot>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: SNAPSHOT,
      forward: false,
      ...page,
      ...filter,
    });
  }

  claimFeedbackRun(uow: UnitOfWork, playbookId: string, run: string, nowMs: number): void {
    const ttl = Math.floor(nowMs / 1000) + SLOT_CLAIM_SECONDS;
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(FEEDBACK_RUN, `${playbookId}#${run}`), { playbookId, run, ttl }),
      () => conflict('SLOT_ALREADY_RUN', `The feedback loop of ${playbookId} already ran for ${run}`),
    );
  }

  getFeedbackSettings(): Promise<FeedbackSettings | undefined> {
    return this.getItem<FeedbackSettings>({ PK: tenantPartition(this.scope.tenantId), SK: FEEDBACK_SETTINGS });
  }

  putFeedbackSettings(uow: UnitOfWork, settings: FeedbackSettings, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(
        this.table,
        { PK: tenantPartition(this.scope.tenantId), SK: FEEDBACK_SETTINGS },
        { ...settings },
        expectedVersion,
      ),
      () => preconditionFailed('The feedback settings changed since you read them; re-read and retry'),
    );
  }

  getHalt(): Promise<HaltState | undefined> {
    return this.getItem<HaltState>({ PK: tenantPartition(this.scope.tenantId), SK: HALT });
  }

  putHalt(uow: UnitOfWork, halt: HaltState, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, { PK: tenantPartition(this.scope.tenantId), SK: HALT }, { ...halt }, expectedVersion),
      raced('halt switch'),
    );
  }
}
