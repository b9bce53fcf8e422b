/**
 * What tenant-scoped credentials add to a data request: a consistent GetItem on DynamoDB Local
 * through the process's client (the baseline) against the same read through a tenant's scoped
 * client (TenantScopedClients: the per-tenant session looked up, its own client and connection
 * pool), interleaved in the same run. STS is mocked at the SDK boundary (no AWS here), so the
 * AssumeRole itself is not measured: it runs once per tenant per 13 minutes per function
 * instance; its cost is stated as an assumption. Writes bench/results/tenant-credentials.json.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { startDynamoLocal } from '../packages/local/src/dynamodb-local.js';
import { createDocumentClient } from '../packages/platform/src/data/client.js';
import {
  AssumeRoleCommand,
  STSClient,
  TENANT_SESSION_SECONDS,
  TenantScopedClients,
} from '../packages/platform/src/data/tenant-credentials.js';

const READS = 2_000;
const TENANTS = 20;

const dynamo = await startDynamoLocal();
try {
  const base = new DynamoDBClient({
    region: 'local',
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = createDocumentClient(base);
  const table = 'bench-tenant-credentials';
  await base.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
    }),
  );
  const tenants = Array.from({ length: TENANTS }, (_, i) => `t_bench${i}`);
  for (const t of tenants)
    await db.send(new PutCommand({ TableName: table, Item: { PK: `TENANT#${t}#X`, SK: 'A', v: 1 } }));

  let assumed = 0;
  const sts = mockClient(STSClient);
  sts.on(AssumeRoleCommand).callsFake(() => {
    assumed++;
    return {
      Credentials: {
        AccessKeyId: 'local',
        SecretAccessKey: 'local',
        SessionToken: 'local',
        Expiration: new Date(Date.now() + TENANT_SESSION_SECONDS * 1000),
      },
    };
  });
  const scoped = new TenantScopedClients({
    roleArn: 'arn:aws:iam::000000000000:role/ballast-bench-tenant-data',
    region: 'local',
    sts: new STSClient({ region: 'local' }),
    now: () => Date.now(),
    stage: 'bench',
    endpoint: dynamo.endpoint,
  });

  const timeOf = async (read: (tenant: string) => Promise<unknown>, tenant: string) => {
    const started = performance.now();
    await read(tenant);
    return performance.now() - started;
  };
  const direct = (t: string) =>
    db.send(new GetCommand({ TableName: table, Key: { PK: `TENANT#${t}#X`, SK: 'A' }, ConsistentRead: true }));
  const viaSession = async (t: string) =>
    (await scoped.clientFor(t, 'read')).send(
      new GetCommand({ TableName: table, Key: { PK: `TENANT#${t}#X`, SK: 'A' }, ConsistentRead: true }),
    );
  // warm-up: every tenant's session and connection made once
  for (const t of tenants) {
    await direct(t);
    await viaSession(t);
  }
  const baseline: number[] = [];
  const measured: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t = tenants[i % TENANTS];
    baseline.push(await timeOf(direct, t));
    measured.push(await timeOf(viaSession, t));
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];
  const row = (xs: number[]) => ({
    p50ms: Math.round(pct(xs, 0.5) * 1000) / 1000,
    p99ms: Math.round(pct(xs, 0.99) * 1000) / 1000,
  });
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { availableParallelism: availableParallelism(), loadavg: loadavg() },
    setup: { reads: READS, tenants: TENANTS, note: 'interleaved reads on DynamoDB Local; STS mocked' },
    baseline: { path: 'GetItem through the process client', ...row(baseline) },
    measured: { path: 'GetItem through the tenant’s scoped client (cached session)', ...row(measured) },
    ratios: { p50: pct(measured, 0.5) / pct(baseline, 0.5), p99: pct(measured, 0.99) / pct(baseline, 0.99) },
    assumeRole: {
      callsDuringRun: assumed,
      expectedCalls: TENANTS,
      note:
        'one AssumeRole per tenant and access per 13 minutes per function instance; AWS documents no latency ' +
        'figure — assume tens of milliseconds, paid by that one request (not measured here: no AWS)',
    },
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/tenant-credentials.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.table([report.baseline, report.measured]);
  console.log(`scoped/direct p50 ${report.ratios.p50.toFixed(2)}×, AssumeRole calls ${assumed} for ${TENANTS} tenants`);
} finally {
  await dynamo.stop();
}
