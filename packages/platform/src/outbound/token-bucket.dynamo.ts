import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TokenBucket, TokenBucketSpec, TokenGrant } from './token-bucket.js';

/**
 * The bucket is stored as one number, `fullAt`: the moment (epoch microseconds) it will be full
 * again. That is the token bucket in the form known as GCRA: the tokens held at `now` are
 * `capacity - (fullAt - now) / interval` (all of them once `fullAt` has passed), so the refill
 * happens lazily from the elapsed time with nothing to write, and taking n tokens moves `fullAt`
 * n intervals later.
 *
 * Why not `tokens` + `refilledAt` with a version: every take would then rewrite both from what
 * it read, so concurrent takers conflict on the version and all but one retry, and a burst of
 * callers can run out of retries while tokens remain. Here a take from a partly used bucket is
 * an increment (`fullAt = fullAt + cost`) whose condition only bounds the result, so concurrent
 * takes all succeed until the bucket is empty, in one round trip each. Only taking from a full
 * bucket sets an absolute value (`now + cost`, since time spent full earns nothing), and it is
 * conditioned on the bucket still being full.
 *
 * Microseconds, so the arithmetic stays in integers (60e6 / 7 a minute rounds to a microsecond,
 * never a token): safe integers last past the year 2250.
 */

const bucketKey = (key: string) => ({ PK: `OUTBOUND#BUCKET#${key}`, SK: 'STATE' });

/** conditional writes that may lose a race before the answer is certain (each loss is progress) */
const MAX_ROUNDS = 5;
/** kept past the moment it is full again, for clocks of other functions running a little behind */
const TTL_MARGIN_SECONDS = 120;

const isConditionFailure = (e: unknown) => (e as { name?: string }).name === 'ConditionalCheckFailedException';

function validSpec(spec: TokenBucketSpec): void {
  if (!spec.key || spec.key.length > 256) throw new RangeError('a bucket key is 1-256 characters');
  if (!(Number.isInteger(spec.capacity) && spec.capacity > 0)) throw new RangeError('capacity is a positive integer');
  if (!(Number.isFinite(spec.refillPerMinute) && spec.refillPerMinute > 0)) {
    throw new RangeError('refillPerMinute is a positive number');
  }
}

export function dynamoTokenBucket(
  db: DynamoDBDocumentClient,
  table: string,
  spec: TokenBucketSpec,
  now: () => number,
): TokenBucket {
  validSpec(spec);
  const intervalUs = Math.ceil(60_000_000 / spec.refillPerMinute);
  const burstUs = spec.capacity * intervalUs;
  const Key = bucketKey(spec.key);
  /** what this instance last saw, to pick the likelier write first (a wrong guess costs a round) */
  let lastFullAt = 0;

  const expiresAt = (nowUs: number) => Math.ceil((nowUs + burstUs) / 1_000_000) + TTL_MARGIN_SECONDS;

  /** takes from a bucket that is partly used: fullAt in (now, latest] */
  async function takeFromPartlyUsed(nowUs: number, costUs: number): Promise<boolean> {
    try {
      const res = await db.send(
        new UpdateCommand({
          TableName: table,
          Key,
          UpdateExpression: 'SET #fullAt = #fullAt + :cost, #ttl = :ttl',
          ConditionExpression: '#fullAt > :now AND #fullAt <= :latest',
          ExpressionAttributeNames: { '#fullAt': 'fullAt', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':cost': costUs,
            ':now': nowUs,
            ':latest': nowUs + burstUs - costUs,
            ':ttl': expiresAt(nowUs),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      lastFullAt = Number(res.Attributes?.fullAt ?? nowUs + costUs);
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** takes from a full bucket (or one never used): fullAt absent or ≤ now */
  async function takeFromFull(nowUs: number, costUs: number): Promise<boolean> {
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key,
          UpdateExpression: 'SET #fullAt = :fullAt, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#fullAt) OR #fullAt <= :now',
          ExpressionAttributeNames: { '#fullAt': 'fullAt', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':fullAt': nowUs + costUs, ':now': nowUs, ':ttl': expiresAt(nowUs) },
        }),
      );
      lastFullAt = nowUs + costUs;
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  async function readFullAt(): Promise<number> {
    const res = await db.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }));
    lastFullAt = Number(res.Item?.fullAt ?? 0);
    return lastFullAt;
  }

  return {
    async take(tokens = 1): Promise<TokenGrant> {
      if (!(Number.isInteger(tokens) && tokens > 0 && tokens <= spec.capacity)) {
        throw new RangeError(`a take is 1-${spec.capacity} tokens`);
      }
      const nowUs = Math.floor(now() * 1000);
      const costUs = tokens * intervalUs;
      const latestUs = nowUs + burstUs - costUs;
      let fullAt = lastFullAt;
      for (let round = 0; round < MAX_ROUNDS; round++) {
        if (fullAt > latestUs) {
          // Too few tokens by what we saw: make sure (a stale view must not refuse), then refuse.
          if (round > 0 || (await readFullAt()) > latestUs) {
            return { granted: false, retryAfterMs: Math.ceil((lastFullAt - latestUs) / 1000) };
          }
          fullAt = lastFullAt;
        }
        const taken = fullAt > nowUs ? await takeFromPartlyUsed(nowUs, costUs) : await takeFromFull(nowUs, costUs);
        if (taken) return { granted: true };
        fullAt = await readFullAt();
      }
      // Still racing after several rounds: say "soon" rather than fail the caller's request.
      return { granted: false, retryAfterMs: Math.ceil(intervalUs / 1000) };
    },
  };
}
