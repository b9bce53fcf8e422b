import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalIssuer } from '../../packages/local/src/issuer.js';
import { newApiKey } from '../../packages/platform/src/auth/api-keys.js';
import { createDocumentClient, createDynamoClient } from '../../packages/platform/src/data/client.js';
import { DynamoUnitOfWork } from '../../packages/platform/src/data/unit-of-work.js';
import type { ApiKeyRecord } from '../../packages/platform/src/tenancy/store.js';
import { DynamoTenancyStore } from '../../packages/platform/src/tenancy/store.dynamo.js';
import { ensureTable } from '../../packages/platform/src/data/tables.js';
import { firstRoutingEntries, writeRoutingEntry } from '../../scripts/seed-stage.js';
import { AUTHORIZER_HANDLER } from '../../stacks/Api.js';
import { sstEsbuildOptions } from '../../stacks/bundling.js';
import { ROOT } from './synth.js';

/**
 * The deployed edge authorizer, end to end offline: functions/authorizer.ts bundled exactly as the
 * Api stack bundles it, run in a fresh Node 22 process against DynamoDB Local, with t_system's
 * identity entry written by the seed script from Auth-stack-shaped outputs. Tokens are signed by the
 * local Cognito-shaped issuer (its keys inline in the entry, since there is no network here).
 */
type Esbuild = typeof import('esbuild');
const run = promisify(execFile);
const issuerUrl = 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_EdgeTest';
const clientId = 'edge-test-client';
const endpoint = inject('dynamoEndpoint');
const table = `edge_${Date.now().toString(36)}`;
const db = createDocumentClient(createDynamoClient({ region: 'local', endpoint }));
let dir: string;
let bundle: string;
let issuer: LocalIssuer;
let other: LocalIssuer;
const apiKey = newApiKey();

const tenancy = () => new DynamoTenancyStore(db, table);

/** Stores a key the way apiKeys.create does (without its audit record). */
async function createKey(record: ApiKeyRecord) {
  const uow = new DynamoUnitOfWork(db, () => undefined);
  tenancy().createApiKey(uow, record);
  await uow.commit();
}

beforeAll(async () => {
  const sstRequire = createRequire(createRequire(import.meta.url).resolve('sst/package.json'));
  const esbuild = ((await import(pathToFileURL(sstRequire.resolve('esbuild')).href)) as { default: Esbuild }).default;
  dir = await mkdtemp(path.join(os.tmpdir(), 'ballast-edge-test-'));
  bundle = path.join(dir, 'authorizer.mjs');
  await esbuild.build(
    sstEsbuildOptions(path.join(ROOT, AUTHORIZER_HANDLER), bundle) as unknown as Parameters<Esbuild['build']>[0],
  );

  await ensureTable(
    new DynamoDBClient({ region: 'local', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    table,
  );
  issuer = await LocalIssuer.create(issuerUrl);
  other = await LocalIssuer.create('https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Other');
  const [identity] = firstRoutingEntries(
    {
      issuer: issuerUrl,
      userPoolClientId: clientId,
      userPoolId: 'eu-central-1_EdgeTest',
      pooledTable: 'ballast-test-pooled',
    },
    'dev',
  );
  const withKeys = { ...identity, config: { ...identity.config, jwks: issuer.jwks() } } as typeof identity;
  await writeRoutingEntry(db, table, withKeys, { force: false, requestId: 'edge-test' });
  await createKey({
    keyId: apiKey.keyId,
    tenantId: 't_acme',
    projectId: 'p_main',
    name: 'ci',
    tier: 'operator',
    roles: ['trader'],
    hash: apiKey.hash,
    createdAt: new Date().toISOString(),
    createdBy: 'test',
  });
}, 120_000);

afterAll(async () => {
  db.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Invokes the bundled authorizer once per header set, all in one fresh process. */
async function authorize(
  headerSets: Array<Record<string, string>>,
): Promise<Array<{ isAuthorized: boolean; context?: Record<string, string> }>> {
  const events = headerSets.map((headers, i) => ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:eu-central-1:000000000000:api/$default/GET/v1/me',
    identitySource: [],
    routeKey: 'GET /v1/me',
    rawPath: '/v1/me',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.local',
      domainPrefix: 'api',
      requestId: `r${i}`,
      routeKey: 'GET /v1/me',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
      http: { method: 'GET', path: '/v1/me', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'edge-test' },
    },
  }));
  const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const out = [];
for (const e of ${JSON.stringify(events)}) {
  const ctx = { awsRequestId: e.requestContext.requestId, getRemainingTimeInMillis: () => 5000 };
  out.push(await m.handler(e, ctx));
}
process.stdout.write('\\n@@' + JSON.stringify(out));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'local', // DynamoDB Local keeps one database per key and region
      BALLAST_CONTROL_TABLE: table,
      BALLAST_DYNAMODB_ENDPOINT: endpoint,
      BALLAST_BOOTSTRAP_SECRET: 'ballast/test/bootstrap-key',
      BALLAST_ENV: 'dev',
      BALLAST_SECRETS_BACKEND: 'aws',
      BALLAST_STAGE: 'test',
      BALLAST_LOG_LEVEL: 'ERROR',
    },
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('@@') + 2)) as Array<{
    isAuthorized: boolean;
    context?: Record<string, string>;
  }>;
}

describe('edge authorizer (bundled as deployed)', () => {
  it('accepts the pool’s access tokens and valid API keys, and refuses everything else', async () => {
    const good = await issuer.mint({ sub: 'user-1', claims: { client_id: clientId } });
    const wrongClient = await issuer.mint({ sub: 'user-1', claims: { client_id: 'someone-else' } });
    const idToken = await issuer.mint({ sub: 'user-1', claims: { client_id: clientId, token_use: 'id' } });
    const wrongIssuer = await other.mint({ sub: 'user-1', claims: { client_id: clientId } });
    const expired = await issuer.mint({
      sub: 'user-1',
      claims: { client_id: clientId },
      iat: Math.floor(Date.now() / 1000) - 3600,
      expiresIn: 60,
    });
    const badKey = apiKey.secret.slice(0, -4) + 'AAAA';
    // revoked at once: the authorizer is not cached, so a logout or key revocation holds at the edge
    const loggedOut = await issuer.mint({ sub: 'user-2', claims: { client_id: clientId } });
    const { jti, exp } = JSON.parse(Buffer.from(loggedOut.split('.')[1], 'base64url').toString('utf8')) as {
      jti: string;
      exp: number;
    };
    await tenancy().revoke(jti, exp, 'user-2', new Date().toISOString());
    const revokedKey = newApiKey();
    await createKey({
      keyId: revokedKey.keyId,
      tenantId: 't_acme',
      projectId: 'p_main',
      name: 'old',
      tier: 'operator',
      roles: ['trader'],
      hash: revokedKey.hash,
      createdAt: new Date().toISOString(),
      createdBy: 'test',
      revokedAt: new Date().toISOString(),
    });

    const results = await authorize([
      { authorization: `Bearer ${good}` },
      { 'x-api-key': apiKey.secret },
      {},
      { authorization: `Bearer ${wrongClient}` },
      { authorization: `Bearer ${idToken}` },
      { authorization: `Bearer ${wrongIssuer}` },
      { authorization: `Bearer ${expired}` },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { 'x-api-key': badKey },
      { 'x-api-key': 'not-a-key' },
      { authorization: `Bearer ${loggedOut}` },
      { 'x-api-key': revokedKey.secret },
    ]);
    expect(results.map((r) => r.isAuthorized)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(results[0].context).toMatchObject({ principal: 'user-1', kind: 'user' });
    expect(results[1].context).toMatchObject({ principal: `apikey:${apiKey.keyId}`, kind: 'apiKey' });
  });
});
