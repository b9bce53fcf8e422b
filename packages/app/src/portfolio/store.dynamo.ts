import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putIfAbsent, versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict, preconditionFailed } from '@ballast/platform/errors.js';
import type { Portfolio, PortfolioStore, ProjectScope } from './store.js';

/** Every key starts with the tenant (pooled table); a silo table uses the same shape. */
const partition = (scope: ProjectScope) => `TENANT#${scope.tenantId}#PROJECT#${scope.projectId}#PORTFOLIOS`;
const SORT_PREFIX = 'PORTFOLIO#';

export class DynamoPortfolioStore implements PortfolioStore {
  private readonly pk: string;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    scope: ProjectScope,
  ) {
    this.pk = partition(scope);
  }

  private key(portfolioId: string) {
    return { PK: this.pk, SK: `${SORT_PREFIX}${portfolioId}` };
  }

  async get(portfolioId: string): Promise<Portfolio | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.key(portfolioId), ConsistentRead: true }),
    );
    return withoutKeys<Portfolio>(res.Item);
  }

  list(page: PageRequest): Promise<Page<Portfolio>> {
    return queryPage<Portfolio>(this.db, {
      table: this.table,
      pk: this.pk,
      prefix: SORT_PREFIX,
      filter: { expression: 'attribute_not_exists(deletedAt)' },
      // Ids are time-sortable (ids.ts), so the sort key read backwards is newest first.
      forward: false,
      ...page,
    });
  }

  create(uow: UnitOfWork, portfolio: Portfolio): void {
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, this.key(portfolio.portfolioId), { ...portfolio }), () =>
      conflict('WRITE_CONFLICT', 'Id collision; retry'),
    );
  }

  update(uow: UnitOfWork, portfolio: Portfolio, expectedVersion: number): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(
        this.table,
        this.key(portfolio.portfolioId),
        { ...portfolio },
        expectedVersion,
        'attribute_not_exists(deletedAt)',
      ),
      () => preconditionFailed('The portfolio changed since you read it; re-read and retry'),
    );
  }

  purge(uow: UnitOfWork, portfolioId: string, expectedVersion: number): void {
    dynamoUnitOfWork(uow).stage(
      {
        Delete: {
          TableName: this.table,
          Key: this.key(portfolioId),
          ConditionExpression: '#version = :version AND attribute_exists(deletedAt)',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': expectedVersion },
        },
      },
      () => conflict('PURGE_SKIPPED', 'The portfolio changed or was restored; not purged'),
    );
  }
}
