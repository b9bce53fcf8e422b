import type { TestProject } from 'vitest/node';
import { startDynamoLocal, type DynamoLocal } from '../packages/local/src/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

let dynamo: DynamoLocal | undefined;

/** One DynamoDB Local for the whole run; each test file makes tables of its own. */
export async function setup(project: TestProject): Promise<void> {
  dynamo = await startDynamoLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}
