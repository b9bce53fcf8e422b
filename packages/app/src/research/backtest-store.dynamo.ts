import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { versionedPut, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict, preconditionFailed } from '@ballast/platform/errors.js';
import type { BacktestStore, StoredBacktest, StoredCurve } from './backtest-store.js';
import { researchPartition as partition } from './store.dynamo.js';

/**
 * In the project's research partition (`TENANT#<t>#PROJECT#<p>#RESEARCH`, beside the signals):
 * a backtest's summary under `BACKTEST#<id>` and its downsampled curve under `BACKTESTCURVE#<id>`,
 * a sort key the summaries' prefix does not match, so a page of summaries never reads a curve
 * (~60 KB for 2,000 points; an item may hold 400 KB).
 */
const BACKTEST = 'BACKTEST#';
const CURVE = 'BACKTESTCURVE#';

/**
 * The request and the outcome are stored as JSON text: their numbers are the simulator's floats
 * (any a setting allows, 1e-300 included), which DynamoDB's number type (magnitude 1e-130 …
 * 1e126) cannot all hold; JSON keeps every float exactly. The curve is four float64 columns in
 * one binary attribute (index, time, equity, drawdown): exact, and 64 KB for 2,000 points.
 */
function itemOf(b: StoredBacktest): Record<string, unknown> {
  const { request, outcome, ...rest } = b;
  return { ...rest, request: JSON.stringify(request), ...(outcome ? { outcome: JSON.stringify(outcome) } : {}) };
}

function backtestOf(item: Record<string, unknown> | undefined): StoredBacktest | undefined {
  const b = withoutKeys<Record<string, unknown>>(item);
  if (!b) return undefined;
  const { request, outcome, ...rest } = b;
  return {
    ...(rest as Omit<StoredBacktest, 'request' | 'outcome'>),
    request: JSON.parse(String(request)),
    ...(typeof outcome === 'string' ? { outcome: JSON.parse(outcome) } : {}),
  };
}

function encodeColumns(c: StoredCurve): Uint8Array {
  const n = c.index.length;
  const all = new Float64Array(4 * n);
  [c.index, c.time, c.equity, c.drawdown].forEach((column, k) => all.set(column, k * n));
  return new Uint8Array(all.buffer);
}

function curveOf(item: Record<string, unknown> | undefined): StoredCurve | undefined {
  const bytes = item?.columns;
  if (!(bytes instanceof Uint8Array)) return undefined;
  const all = new Float64Array(new Uint8Array(bytes).buffer);
  const n = all.length / 4;
  const column = (k: number) => Array.from(all.subarray(k * n, (k + 1) * n));
  return { index: column(0), time: column(1), equity: column(2), drawdown: column(3) };
}

export class DynamoBacktestStore implements BacktestStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: { tenantId: string; projectId: string },
  ) {}

  private key(prefix: string, backtestId: string) {
    return { PK: partition(this.scope), SK: `${prefix}${backtestId}` };
  }

  private async read(backtestId: string) {
    const res = await this.db.send(
      new BatchGetCommand({
        RequestItems: {
          [this.table]: {
            Keys: [this.key(BACKTEST, backtestId), this.key(CURVE, backtestId)],
            ConsistentRead: true,
          },
        },
      }),
    );
    const items = res.Responses?.[this.table] ?? [];
    return {
      summary: items.find((i) => i.SK === `${BACKTEST}${backtestId}`),
      curve: items.find((i) => i.SK === `${CURVE}${backtestId}`),
    };
  }

  async get(backtestId: string): Promise<StoredBacktest | undefined> {
    const { summary } = await this.read(backtestId);
    return backtestOf(summary);
  }

  async getCurve(backtestId: string): Promise<StoredCurve | undefined> {
    const { curve } = await this.read(backtestId);
    return curveOf(curve);
  }

  async list(page: PageRequest): Promise<Page<StoredBacktest>> {
    const found = await queryPage<Record<string, unknown>>(this.db, {
      table: this.table,
      pk: partition(this.scope),
      prefix: BACKTEST,
      forward: false,
      ...page,
    });
    return { items: found.items.flatMap((i) => backtestOf(i) ?? []), nextCursor: found.nextCursor };
  }

  put(uow: UnitOfWork, backtest: StoredBacktest, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, this.key(BACKTEST, backtest.backtestId), itemOf(backtest), expectedVersion),
      () => conflict('WRITE_CONFLICT', 'The backtest changed while this was written; retry'),
    );
  }

  putCurve(uow: UnitOfWork, backtestId: string, curve: StoredCurve): void {
    dynamoUnitOfWork(uow).stage({
      Put: { TableName: this.table, Item: { columns: encodeColumns(curve), ...this.key(CURVE, backtestId) } },
    });
  }

  delete(uow: UnitOfWork, backtestId: string, expectedVersion: number): void {
    const w = dynamoUnitOfWork(uow);
    w.stage(
      {
        Delete: {
          TableName: this.table,
          Key: this.key(BACKTEST, backtestId),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': expectedVersion },
        },
      },
      () => preconditionFailed('The backtest changed since you read it; re-read and retry'),
    );
    w.stage({ Delete: { TableName: this.table, Key: this.key(CURVE, backtestId) } });
  }
}
