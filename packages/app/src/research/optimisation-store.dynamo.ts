import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putIfAbsent, withoutKeys } from '@ballast/platform/data/items.js';
import { type Page, type PageRequest, queryAll, queryPage } from '@ballast/platform/data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict } from '@ballast/platform/errors.js';
import { researchPartition as partition } from './store.dynamo.js';
import type {
  OptimisationChunk,
  OptimisationPatch,
  OptimisationResult,
  OptimisationStore,
  StoredOptimisation,
} from './optimisation-store.js';

/**
 * The records live in the project's research partition, `TENANT#<t>#PROJECT#<p>#RESEARCH`, under
 * `OPTIMISATION#<id>` (so the list reads records only); each optimisation's results, chunks and
 * walk-forward report have a partition of their own, `…#RESEARCH#OPTIMISATION#<id>`, so thousands
 * of results written by many workers at once do not all land on the project's one partition.
 */
const OPTIMISATION = 'OPTIMISATION#';
const RESULT = 'RESULT#';
const CHUNK = 'CHUNK#';
const WALK_FORWARD = 'WALKFORWARD';
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const optimisationEnded = (optimisationId: string) => () =>
  conflict('OPTIMISATION_ENDED', `Optimisation ${optimisationId} has ended (completed, failed or cancelled)`);
export const chunkRecorded = () => conflict('CHUNK_RECORDED', 'This chunk was recorded before (a redelivery)');

/** a DynamoDB condition that the status is one of `statuses` */
function statusIn(statuses: readonly string[]) {
  const values = Object.fromEntries(statuses.map((s, i) => [`:from${i}`, s]));
  return { expression: `#status IN (${Object.keys(values).join(', ')})`, values };
}

export class DynamoOptimisationStore implements OptimisationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly scope: { tenantId: string; projectId: string },
  ) {}

  private key(optimisationId: string) {
    return { PK: partition(this.scope), SK: `${OPTIMISATION}${optimisationId}` };
  }

  private runPartition(optimisationId: string) {
    return `${partition(this.scope)}#${OPTIMISATION}${optimisationId}`;
  }

  private chunkKey(optimisationId: string, round: number, chunk: number) {
    return { PK: this.runPartition(optimisationId), SK: `${CHUNK}${pad(round, 6)}#${pad(chunk, 6)}` };
  }

  async get(optimisationId: string): Promise<StoredOptimisation | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.key(optimisationId), ConsistentRead: true }),
    );
    return withoutKeys<StoredOptimisation>(res.Item);
  }

  list(page: PageRequest): Promise<Page<StoredOptimisation>> {
    return queryPage<StoredOptimisation>(this.db, {
      table: this.table,
      pk: partition(this.scope),
      prefix: OPTIMISATION,
      forward: false,
      ...page,
    });
  }

  create(uow: UnitOfWork, record: StoredOptimisation): void {
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, this.key(record.optimisationId), { ...record }), () =>
      conflict('WRITE_CONFLICT', `Optimisation ${record.optimisationId} exists`),
    );
  }

  update(uow: UnitOfWork, optimisationId: string, patch: OptimisationPatch): void {
    const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
    const values: Record<string, unknown> = { ':one': 1 };
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [k, [field, value]] of Object.entries(patch.set).entries()) {
      names[`#f${k}`] = field;
      if (value === undefined) removes.push(`#f${k}`);
      else {
        values[`:v${k}`] = value;
        sets.push(`#f${k} = :v${k}`);
      }
    }
    const condition = statusIn(patch.from);
    dynamoUnitOfWork(uow).stage(
      {
        Update: {
          TableName: this.table,
          Key: this.key(optimisationId),
          UpdateExpression: [
            `SET ${[...sets, '#version = #version + :one'].join(', ')}`,
            ...(removes.length ? [`REMOVE ${removes.join(', ')}`] : []),
          ].join(' '),
          ConditionExpression: `attribute_exists(PK) AND ${condition.expression}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...condition.values },
        },
      },
      optimisationEnded(optimisationId),
    );
  }

  recordChunk(uow: UnitOfWork, optimisationId: string, chunk: OptimisationChunk, results: OptimisationResult[]) {
    const tx = dynamoUnitOfWork(uow);
    tx.stage(
      putIfAbsent(this.table, this.chunkKey(optimisationId, chunk.round, chunk.chunk), { ...chunk }),
      chunkRecorded,
    );
    for (const result of results) {
      tx.stage({
        Put: {
          TableName: this.table,
          Item: { ...result, PK: this.runPartition(optimisationId), SK: `${RESULT}${pad(result.index, 16)}` },
        },
      });
    }
    tx.stage(
      {
        Update: {
          TableName: this.table,
          Key: this.key(optimisationId),
          UpdateExpression: 'ADD #done :n, #version :one SET updatedAt = :at',
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: { '#done': 'done', '#version': 'version', '#status': 'status' },
          ExpressionAttributeValues: {
            ':n': results.length,
            ':one': 1,
            ':at': chunk.evaluatedAt,
            ':running': 'running',
          },
        },
      },
      optimisationEnded(optimisationId),
    );
  }

  async getChunk(optimisationId: string, round: number, chunk: number): Promise<OptimisationChunk | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.chunkKey(optimisationId, round, chunk), ConsistentRead: true }),
    );
    return withoutKeys<OptimisationChunk>(res.Item);
  }

  chunks(optimisationId: string): Promise<OptimisationChunk[]> {
    return queryAll<OptimisationChunk>(this.db, {
      table: this.table,
      pk: this.runPartition(optimisationId),
      prefix: CHUNK,
      maxItems: 100_000,
    });
  }

  results(optimisationId: string): Promise<OptimisationResult[]> {
    return queryAll<OptimisationResult>(this.db, {
      table: this.table,
      pk: this.runPartition(optimisationId),
      prefix: RESULT,
      maxItems: 100_000,
    });
  }

  async claimRound(optimisationId: string, round: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(optimisationId),
          UpdateExpression: 'SET closedRound = :round',
          ConditionExpression: '#status = :running AND closedRound < :round AND #done >= planned AND #r = :round',
          ExpressionAttributeNames: { '#status': 'status', '#done': 'done', '#r': 'round' },
          ExpressionAttributeValues: { ':round': round, ':running': 'running' },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof Error && e.name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }

  async putWalkForward(optimisationId: string, report: Record<string, unknown>): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...report, PK: this.runPartition(optimisationId), SK: WALK_FORWARD },
      }),
    );
  }

  async getWalkForward(optimisationId: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { PK: this.runPartition(optimisationId), SK: WALK_FORWARD },
        ConsistentRead: true,
      }),
    );
    return withoutKeys<Record<string, unknown>>(res.Item);
  }
}
