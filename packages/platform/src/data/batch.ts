import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../jobs/concurrency.js';

/** A put or delete in a batch (BatchWriteItem takes at most 25 a call). */
export type BatchRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

const BATCH_SIZE = 25;
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
