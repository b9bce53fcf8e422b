import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deleteExisting, putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import {
  type Assignment,
  type Category,
  type Exclusion,
  MAX_ASSIGNMENTS,
  type PlanningStore,
  type ProjectScope,
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

const codeTaken = (code: string) =>
  conflict('CATEGORY_CODE_TAKEN', `Another category of this portfolio has the code ${code}`);
const changed = () => preconditionFailed('The category changed since you read it; re-read and retry');

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
}
