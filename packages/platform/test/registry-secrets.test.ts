import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../src/data/client.js';
import { ensureTable } from '../src/data/tables.js';
import { AppError } from '../src/errors.js';
import { createPlatform } from '../src/platform.js';
import { RoutingRegistry } from '../src/routing/registry.js';
import type { RoutingConfig } from '../src/routing/schemas.js';
import { DynamoRoutingStore } from '../src/routing/store.dynamo.js';
import { testConfig } from './support/harness.js';
import { AwsSecretResolver } from '../src/secrets/resolver.js';
import { secretsManagerFetcher } from '../src/secrets/secrets-manager.js';
import { configureBootstrap } from '../src/config/bootstrap.js';

const table = `reg-${randomBytes(4).toString('hex')}`;
const db = createDocumentClient(createDynamoClient({ region: 'local', endpoint: inject('dynamoEndpoint') }));

beforeAll(async () => {
  await ensureTable(
    new DynamoDBClient({
      region: 'local',
      endpoint: inject('dynamoEndpoint'),
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    table,
  );
});

const store = new DynamoRoutingStore(db, table);
const unitOfWork = () =>
  createPlatform(testConfig(table), { db }).unitOfWork({ kind: 'system', tenantId: 't1', requestId: 'test' }, 0);

/** Writes the entry through the store; a corrupt config is forced in with a cast, as a bad migration would. */
async function put(config: unknown) {
  const current = await store.get('t1', 'dev', 'data');
  const uow = unitOfWork();
  store.put(
    uow,
    { tenantId: 't1', env: 'dev', kind: 'data', config: config as RoutingConfig, updatedAt: 'now' },
    current?.version,
  );
  await uow.commit();
}

describe('routing registry', () => {
  it('a missing entry is a 503 naming the kind — no fallback', async () => {
    const reg = new RoutingRegistry(store, () => 0);
    await expect(reg.require('t1', 'dev', 'data')).rejects.toMatchObject({
      status: 503,
      code: 'ROUTING_NOT_CONFIGURED',
    });
    await expect(reg.require('t1', 'dev', 'data')).rejects.toThrow(/'data'/);
  });

  it('an entry change is seen within 5 seconds by another process’s registry', async () => {
    let now = 1_000_000;
    const reg = new RoutingRegistry(store, () => now);
    await put({ kind: 'data', mode: 'pooled', tableName: 'pooled-a' });
    expect((await reg.require('t1', 'dev', 'data')).config).toMatchObject({ tableName: 'pooled-a' });
    await put({ kind: 'data', mode: 'silo', tableName: 'silo-b' });
    now += 1000;
    expect((await reg.require('t1', 'dev', 'data')).config).toMatchObject({ tableName: 'pooled-a' }); // cached
    now += 4000; // 5 s after the change
    expect((await reg.require('t1', 'dev', 'data')).config).toMatchObject({ tableName: 'silo-b' });
  });

  it('a corrupt entry is refused rather than guessed at', async () => {
    await put({ kind: 'data', mode: 'pooled' });
    const reg = new RoutingRegistry(store, () => 0);
    await expect(reg.require('t1', 'dev', 'data')).rejects.toBeInstanceOf(AppError);
  });
});

describe('secret resolver (Secrets Manager, mocked at the SDK boundary)', () => {
  it('caches values and maps failures to 503 without leaking the secret id', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 'ballast/dev/bootstrap-key' }).resolves({ SecretString: 's3cret' });
    sm.on(GetSecretValueCommand, { SecretId: 'missing' }).rejects(
      Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }),
    );
    let now = 0;
    configureBootstrap({
      controlTable: 'c',
      region: 'eu-west-1',
      bootstrapSecretRef: 'ballast/dev/bootstrap-key',
      defaultEnv: 'dev',
      secretsBackend: 'aws',
      stage: 't',
      logLevel: 'ERROR',
    });
    const r = new AwsSecretResolver(
      () => secretsManagerFetcher,
      () => now,
    );
    expect(await r.resolve('ballast/dev/bootstrap-key')).toBe('s3cret');
    expect(await r.resolve('ballast/dev/bootstrap-key')).toBe('s3cret');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now += 301_000;
    await r.resolve('ballast/dev/bootstrap-key');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    await expect(r.resolve('missing')).rejects.toMatchObject({ status: 503, code: 'SECRET_UNAVAILABLE' });
    sm.restore();
  });

  it('a function built without the fetcher refuses with 503 instead of reaching for AWS', async () => {
    const r = new AwsSecretResolver(
      () => undefined,
      () => 0,
    );
    await expect(r.resolve('anything')).rejects.toMatchObject({ status: 503, code: 'SECRETS_NOT_LINKED' });
  });
});
