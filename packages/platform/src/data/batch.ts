import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../jobs/concurrency.js';

/** A put or delete in a batch (BatchWriteItem takes at most 25 a call). */
export type BatchRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

const BATCH_SIZE = 25;
/** BatchGetItem takes at most 100 keys a call. */
const GET_BATCH_SIZE = 100;
const MAX_ATTEMPTS = 9;

/**
 * Writes every request, 25 a call, `concurrency` calls at a time, resending what DynamoDB leaves
 * unprocessed with a growing pause. Not atomic: callers make the writes invisible until something
 * atomic commits them, or harmless to repeat.
 */
export async function writeBatches(
  db: DynamoDBDocumentClient,
  table: string,
  requests: readonly BatchRequest[],
  o: { concurrency?: number; what?: string } = {},
): Promise<void> {
  const { concurrency = 8, what = `a batch write to ${table}` } = o;
  const batches: BatchRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
  await mapLimit(batches, concurrency, async (batch) => {
    let pending = batch;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`DynamoDB kept throttling ${what}`);
      const res = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (res.UnprocessedItems?.[table] ?? []) as BatchRequest[];
      if (pending.length) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 20));
    }
  });
}

/**
 * Reads every key, 100 a call, `concurrency` calls at a time, asking again for what DynamoDB
 * leaves unprocessed with a growing pause. Items come back in no particular order; a missing key
 * is simply absent.
 */
export async function readBatches(
  db: DynamoDBDocumentClient,
  table: string,
  keys: ReadonlyArray<Record<string, unknown>>,
  o: { consistent?: boolean; concurrency?: number; attempts?: number; what?: string } = {},
): Promise<Record<string, unknown>[]> {
  const { consistent = false, concurrency = 8, attempts = MAX_ATTEMPTS, what = `a batch read of ${table}` } = o;
  const batches: Array<Record<string, unknown>[]> = [];
  for (let i = 0; i < keys.length; i += GET_BATCH_SIZE) batches.push(keys.slice(i, i + GET_BATCH_SIZE));
  const found: Record<string, unknown>[] = [];
  await mapLimit(batches, concurrency, async (batch) => {
    let wanted = batch;
    for (let attempt = 0; wanted.length; attempt++) {
      if (attempt >= attempts) throw new Error(`DynamoDB kept throttling ${what}`);
      const res = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: wanted, ConsistentRead: consistent } } }),
      );
      found.push(...(res.Responses?.[table] ?? []));
      wanted = res.UnprocessedKeys?.[table]?.Keys ?? [];
      if (wanted.length) await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 20));
    }
  });
  return found;
}
