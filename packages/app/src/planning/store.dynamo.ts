import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteExisting, putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import {
  type Assignment,
  type Category,
  type Exclusion,
  type Execution,
  MAX_ASSIGNMENTS,
  MAX_RULES,
  type PlanningStore,
  type ProjectScope,
  type Proposal,
  type Rule,
  type RuleRun,
  type Schedule,
} from './store.js';

/**
 * One partition per portfolio holds its planning data; every key starts with the tenant (pooled
 * table), a silo table uses the same shape. A category's code is claimed by an item of its own,
 * so two categories of a portfolio can never share one, even when written at the same moment.
 */
const partition = (scope: ProjectScope, portfolioId: string) =>
  `TENANT#${scope.tenantId}#PROJECT#${scope.projectId}#PORTFOLIO#${portfolioId}#PLANNING`;
const CATEGORY = 'CATEGORY#';
const CODE = 'CATEGORYCODE#';
const ASSIGNMENT = 'ASSIGNMENT#';
const EXCLUSION = 'EXCLUSION#';
const PROPOSAL = 'PROPOSAL#';
const EXECUTION = 'EXECUTION#';
const SLOT = 'SLOT#';
const SCHEDULE = 'SCHEDULE#';
const RULE = 'RULE#';
const RULE_RUN = 'RULERUN#';
const WATCH = 'WATCH#';
/** slot claims outlive any redelivery or a second dispatcher by far; TTL clears them after 90 days */
const SLOT_CLAIM_SECONDS = 90 * 24 * 3600;

const codeTaken = (code: string) =>
  conflict('CATEGORY_CODE_TAKEN', `Another category of this portfolio has the code ${code}`);
const changed = () => preconditionFailed('The category changed since you read it; re-read and retry');
const raced = (what: string) => () => conflict('WRITE_CONFLICT', `The ${what} changed while this was written; retry`);

export class DynamoPlanningStore implements PlanningStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: ProjectScope,
  ) {}

  private key(portfolioId: string, prefix: string, id: string) {
    return { PK: partition(this.scope, portfolioId), SK: `${prefix}${id}` };
  }

  private async getItem<T>(portfolioId: string, prefix: string, id: string): Promise<T | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.key(portfolioId, prefix, id), ConsistentRead: true }),
    );
    return withoutKeys<T>(res.Item);
  }

  private all<T>(portfolioId: string, prefix: string): Promise<T[]> {
    return queryAll<T>(this.db, {
      table: this.table,
      pk: partition(this.scope, portfolioId),
      prefix,
      maxItems: MAX_ASSIGNMENTS,
    });
  }

  getCategory(portfolioId: string, categoryId: string): Promise<Category | undefined> {
    return this.getItem<Category>(portfolioId, CATEGORY, categoryId);
  }

  listCategories(portfolioId: string, page: PageRequest): Promise<Page<Category>> {
    return queryPage<Category>(this.db, {
      table: this.table,
      pk: partition(this.scope, portfolioId),
      prefix: CATEGORY,
      forward: false,
      ...page,
    });
  }

  allCategories(portfolioId: string): Promise<Category[]> {
    return this.all<Category>(portfolioId, CATEGORY);
  }

  private claimCode(uow: UnitOfWork, portfolioId: string, code: string, categoryId: string): void {
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, this.key(portfolioId, CODE, code), { categoryId }), () =>
      codeTaken(code),
    );
  }

  private releaseCode(uow: UnitOfWork, portfolioId: string, code: string): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, this.key(portfolioId, CODE, code)), changed);
  }

  createCategory(uow: UnitOfWork, category: Category): void {
    const { portfolioId, categoryId } = category;
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(portfolioId, CATEGORY, categoryId), { ...category }),
      () => conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
    this.claimCode(uow, portfolioId, category.code, categoryId);
  }

  replaceCategory(uow: UnitOfWork, before: Category, after: Category): void {
    const { portfolioId, categoryId } = after;
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(portfolioId, CATEGORY, categoryId), { ...after }, before.version),
      changed,
    );
    if (before.code !== after.code) {
      this.releaseCode(uow, portfolioId, before.code);
      this.claimCode(uow, portfolioId, after.code, categoryId);
    }
  }

  deleteCategory(uow: UnitOfWork, category: Category, expectedVersion: number): void {
    dynamoUnitOfWork(uow).stage(
      {
        Delete: {
          TableName: this.table,
          Key: this.key(category.portfolioId, CATEGORY, category.categoryId),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': expectedVersion },
        },
      },
      changed,
    );
    this.releaseCode(uow, category.portfolioId, category.code);
  }

  getAssignment(portfolioId: string, symbol: string): Promise<Assignment | undefined> {
    return this.getItem<Assignment>(portfolioId, ASSIGNMENT, symbol);
  }

  listAssignments(portfolioId: string): Promise<Assignment[]> {
    return this.all<Assignment>(portfolioId, ASSIGNMENT);
  }

  putAssignment(uow: UnitOfWork, portfolioId: string, assignment: Assignment): void {
    const work = dynamoUnitOfWork(uow);
    // the category must still be there when the assignment lands (a concurrent delete is refused)
    work.stage(
      {
        ConditionCheck: {
          TableName: this.table,
          Key: this.key(portfolioId, CATEGORY, assignment.categoryId),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      () => new AppError(422, 'CATEGORY_NOT_FOUND', `No category ${assignment.categoryId} in this portfolio`),
    );
    work.stage({
      Put: { TableName: this.table, Item: { ...assignment, ...this.key(portfolioId, ASSIGNMENT, assignment.symbol) } },
    });
  }

  deleteAssignment(uow: UnitOfWork, portfolioId: string, symbol: string): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, this.key(portfolioId, ASSIGNMENT, symbol)), () =>
      notFound('ASSIGNMENT_NOT_FOUND', `${symbol} is not assigned to a category`),
    );
  }

  getExclusion(portfolioId: string, symbol: string): Promise<Exclusion | undefined> {
    return this.getItem<Exclusion>(portfolioId, EXCLUSION, symbol);
  }

  listExclusions(portfolioId: string): Promise<Exclusion[]> {
    return this.all<Exclusion>(portfolioId, EXCLUSION);
  }

  putExclusion(uow: UnitOfWork, portfolioId: string, exclusion: Exclusion): void {
    dynamoUnitOfWork(uow).stage({
      Put: { TableName: this.table, Item: { ...exclusion, ...this.key(portfolioId, EXCLUSION, exclusion.symbol) } },
    });
  }

  deleteExclusion(uow: UnitOfWork, portfolioId: string, symbol: string): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, this.key(portfolioId, EXCLUSION, symbol)), () =>
      notFound('EXCLUSION_NOT_FOUND', `${symbol} is not excluded`),
    );
  }

  private page<T>(portfolioId: string, prefix: string, page: PageRequest): Promise<Page<T>> {
    return queryPage<T>(this.db, {
      table: this.table,
      pk: partition(this.scope, portfolioId),
      prefix,
      forward: false,
      ...page,
    });
  }

  private versioned(
    uow: UnitOfWork,
    what: string,
    prefix: string,
    id: string,
    item: { portfolioId: string; version: number },
    expected: number | undefined,
  ) {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(item.portfolioId, prefix, id), { ...item }, expected),
      raced(what),
    );
  }

  private deleteVersioned(uow: UnitOfWork, what: string, key: { PK: string; SK: string }, expected: number) {
    dynamoUnitOfWork(uow).stage(
      {
        Delete: {
          TableName: this.table,
          Key: key,
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': expected },
        },
      },
      () => preconditionFailed(`The ${what} changed since you read it; re-read and retry`),
    );
  }

  getProposal(portfolioId: string, proposalId: string): Promise<Proposal | undefined> {
    return this.getItem<Proposal>(portfolioId, PROPOSAL, proposalId);
  }

  listProposals(portfolioId: string, page: PageRequest): Promise<Page<Proposal>> {
    return this.page<Proposal>(portfolioId, PROPOSAL, page);
  }

  putProposal(uow: UnitOfWork, proposal: Proposal, expectedVersion: number | undefined): void {
    this.versioned(uow, 'proposal', PROPOSAL, proposal.proposalId, proposal, expectedVersion);
  }

  getExecution(portfolioId: string, executionId: string): Promise<Execution | undefined> {
    return this.getItem<Execution>(portfolioId, EXECUTION, executionId);
  }

  listExecutions(portfolioId: string, page: PageRequest): Promise<Page<Execution>> {
    return this.page<Execution>(portfolioId, EXECUTION, page);
  }

  putExecution(uow: UnitOfWork, execution: Execution, expectedVersion: number | undefined): void {
    this.versioned(uow, 'execution', EXECUTION, execution.executionId, execution, expectedVersion);
  }

  claimSlot(uow: UnitOfWork, portfolioId: string, ownerId: string, slot: string): void {
    const ttl = Math.floor(Date.parse(slot) / 1000) + SLOT_CLAIM_SECONDS;
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(portfolioId, SLOT, `${ownerId}#${slot}`), { ownerId, slot, ttl }),
      () => conflict('SLOT_ALREADY_RUN', `${ownerId} already ran for ${slot}`),
    );
  }

  getSchedule(portfolioId: string, scheduleId: string): Promise<Schedule | undefined> {
    return this.getItem<Schedule>(portfolioId, SCHEDULE, scheduleId);
  }

  listSchedules(portfolioId: string, page: PageRequest): Promise<Page<Schedule>> {
    return this.page<Schedule>(portfolioId, SCHEDULE, page);
  }

  putSchedule(uow: UnitOfWork, schedule: Schedule, expectedVersion: number | undefined): void {
    this.versioned(uow, 'schedule', SCHEDULE, schedule.scheduleId, schedule, expectedVersion);
  }

  deleteSchedule(uow: UnitOfWork, schedule: Schedule, expectedVersion: number): void {
    this.deleteVersioned(
      uow,
      'schedule',
      this.key(schedule.portfolioId, SCHEDULE, schedule.scheduleId),
      expectedVersion,
    );
  }

  getRule(portfolioId: string, ruleId: string): Promise<Rule | undefined> {
    return this.getItem<Rule>(portfolioId, RULE, ruleId);
  }

  listRules(portfolioId: string, page: PageRequest): Promise<Page<Rule>> {
    return this.page<Rule>(portfolioId, RULE, page);
  }

  allRules(portfolioId: string): Promise<Rule[]> {
    return queryAll<Rule>(this.db, {
      table: this.table,
      pk: partition(this.scope, portfolioId),
      prefix: RULE,
      maxItems: MAX_RULES,
    });
  }

  putRule(uow: UnitOfWork, rule: Rule, expectedVersion: number | undefined): void {
    this.versioned(uow, 'rule', RULE, rule.ruleId, rule, expectedVersion);
  }

  deleteRule(uow: UnitOfWork, rule: Rule, expectedVersion: number): void {
    this.deleteVersioned(uow, 'rule', this.key(rule.portfolioId, RULE, rule.ruleId), expectedVersion);
  }

  addRuleRun(uow: UnitOfWork, portfolioId: string, run: RuleRun): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, this.key(portfolioId, RULE_RUN, `${run.ruleId}#${run.runId}`), { ...run }),
      raced('rule run'),
    );
  }

  listRuleRuns(portfolioId: string, ruleId: string, page: PageRequest): Promise<Page<RuleRun>> {
    return this.page<RuleRun>(portfolioId, `${RULE_RUN}${ruleId}#`, page);
  }

  getWatch(portfolioId: string): Promise<{ nextAt: string; version: number } | undefined> {
    return this.getItem<{ nextAt: string; version: number }>(portfolioId, WATCH, 'stop-loss');
  }

  putWatch(uow: UnitOfWork, portfolioId: string, nextAt: string, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(
        this.table,
        this.key(portfolioId, WATCH, 'stop-loss'),
        { nextAt, version: (expectedVersion ?? 0) + 1 },
        expectedVersion,
      ),
      raced('stop-loss watch'),
    );
  }
}
