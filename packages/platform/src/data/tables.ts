import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

const errorName = (e: unknown) => (e as { name?: string }).name;

/** Creates the table unless it exists (a concurrent creator is fine), then turns TTL on. */
async function createIfMissing(client: DynamoDBClient, input: CreateTableCommandInput, ttlAttribute: string) {
  try {
    await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    return;
  } catch (e) {
    if (errorName(e) !== 'ResourceNotFoundException') throw e;
  }
  try {
    await client.send(new CreateTableCommand({ BillingMode: 'PAY_PER_REQUEST', ...input }));
  } catch (e) {
    if (errorName(e) !== 'ResourceInUseException') throw e;
  }
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: input.TableName,
        TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      }),
    )
    .catch(() => undefined);
}

/**
 * The one table shape Ballast uses for the control table, the pooled data table and silo tables:
 * PK/SK strings, GSI1 (GSI1PK/GSI1SK), TTL on `ttl`. The cloud creates them in stacks/Data; the
 * local runtime and tests create them here.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createIfMissing(
    client,
    {
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'GSI1PK', AttributeType: 'S' },
        { AttributeName: 'GSI1SK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'GSI1',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
    'ttl',
  );
}

/** The job-run idempotency table in Powertools' default layout (key `id`, TTL on `expiration`). */
export async function ensureIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createIfMissing(
    client,
    {
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    },
    'expiration',
  );
}
