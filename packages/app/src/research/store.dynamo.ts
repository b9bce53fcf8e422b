import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict } from '@ballast/platform/errors.js';
import type { ResearchStore, SignalStatus, StoredSignal } from './store.js';

/** One partition per project: `TENANT#<t>#PROJECT#<p>#RESEARCH`, signals under `SIGNAL#<id>`. */
const partition = (scope: { tenantId: string; projectId: string }) =>
  `TENANT#${scope.tenantId}#PROJECT#${scope.projectId}#RESEARCH`;
const SIGNAL = 'SIGNAL#';
/** the project's research partition, for the context's other adapters: one spelling of the key */
export const researchPartition = partition;

export class DynamoResearchStore implements ResearchStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: { tenantId: string; projectId: string },
  ) {}

  private key(signalId: string) {
    return { PK: partition(this.scope), SK: `${SIGNAL}${signalId}` };
  }

  async getSignal(signalId: string): Promise<StoredSignal | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.key(signalId), ConsistentRead: true }),
    );
    return withoutKeys<StoredSignal>(res.Item);
  }

  listSignals(page: PageRequest & { status?: SignalStatus }): Promise<Page<StoredSignal>> {
    const { status, ...rest } = page;
    return queryPage<StoredSignal>(this.db, {
      table: this.table,
      pk: partition(this.scope),
      prefix: SIGNAL,
      forward: false,
      ...rest,
      ...(status
        ? { filter: { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': status } } }
        : {}),
    });
  }

  putSignal(uow: UnitOfWork, signal: StoredSignal, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(signal.signalId), { ...signal }, expectedVersion),
      () => conflict('WRITE_CONFLICT', 'The signal changed while this was written; retry'),
    );
  }
}
