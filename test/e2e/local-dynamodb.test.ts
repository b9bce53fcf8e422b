import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DynamoLocal, startDynamoLocal } from '../../packages/local/src/dynamodb-local.js';

// DynamoDB Local as the runtime starts it: on loopback through the launcher, or — when the
// launcher cannot run — on the plain jar, saying so; and its exit is reported to whoever watches.

const dir = mkdtempSync(join(tmpdir(), 'ballast-ddb-'));
const started: DynamoLocal[] = [];

afterAll(async () => {
  for (const d of started) await d.stop();
  rmSync(dir, { recursive: true, force: true });
});

const listTables = (endpoint: string) =>
  fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'DynamoDB_20120810.ListTables',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: '{}',
  });

describe('DynamoDB Local (the runtime’s child)', () => {
  it('is bound to loopback by the launcher, and its exit is seen, with who asked for it', async () => {
    const d = await startDynamoLocal();
    started.push(d);
    expect(d.binding).toBe('loopback');
    expect(d.warning).toBeUndefined();
    expect((await listTables(d.endpoint)).status).toBe(200);
    await d.stop();
    expect(await d.exited).toMatchObject({ expected: true });
  }, 90_000);

  it('falls back to the plain jar when the launcher cannot run, and says why (all interfaces)', async () => {
    const broken = join(dir, 'Broken.java');
    writeFileSync(broken, 'public class Broken { this does not compile }\n');
    const d = await startDynamoLocal({ loopbackLauncher: broken });
    started.push(d);
    expect(d.binding).toBe('all-interfaces');
    expect(d.warning).toMatch(/could not be bound to 127\.0\.0\.1.*every interface.*Security notes/);
    expect((await listTables(d.endpoint)).status).toBe(200);
  }, 90_000);

  it('an exit nobody asked for is reported as unexpected', async () => {
    const d = await startDynamoLocal();
    started.push(d);
    process.kill(d.pid ?? 0, 'SIGKILL');
    expect(await d.exited).toMatchObject({ expected: false, signal: 'SIGKILL' });
  }, 90_000);
});
