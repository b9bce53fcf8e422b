import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
}
