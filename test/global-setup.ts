import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal, type DynamoLocal } from '../packages/local/src/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

let dynamo: DynamoLocal | undefined;

/**
 * One DynamoDB Local for the whole run; each test file makes tables of its own. The JVM is this
 * process's own child, ended through its handle (never by name); `.ci/run` also ends the process
 * group the whole run is in, should vitest itself die.
 */
export async function setup(project: TestProject): Promise<void> {
  // the console's build, which every runtime serves at `/` (the browser tests open it): built once
  // per run, before any test file starts, so no two files build into dist/ at the same time
  // (`npm run build:web` sets NODE_ENV=production: vitest's NODE_ENV=test would build for development)
  execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: resolve(import.meta.dirname, '..'), stdio: 'inherit' });
  dynamo = await startDynamoLocal();
  if (dynamo.warning) console.warn(`global setup: ${dynamo.warning}`);
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
  dynamo = undefined;
}
