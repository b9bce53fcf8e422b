import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HealthStore } from './store.js';

export class DynamoHealthStore implements HealthStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly controlTable: string,
    private readonly now: () => number,
  ) {}

  async pingControlTable(): Promise<number> {
    const started = this.now();
    await this.db.send(new DescribeTableCommand({ TableName: this.controlTable }));
    return Math.round(this.now() - started);
  }

  /**
   * A read of a key that starts with the tenant (so the tenant-scoped credentials of the pooled
   * table allow it) and holds nothing: the table's latency, no data. Timed on the process's
   * monotonic clock, not the platform's (whose time a test or the local runtime may move).
   */
  async pingDataTable(table: string, tenantId: string): Promise<number> {
    const started = performance.now();
    await this.db.send(
      new GetCommand({ TableName: table, Key: { PK: `TENANT#${tenantId}#HEALTH`, SK: 'PING' }, ConsistentRead: true }),
    );
    return Math.round((performance.now() - started) * 10) / 10;
  }
}
