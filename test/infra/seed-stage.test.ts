import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../packages/platform/src/data/client.js';
import { DynamoAuditStore } from '../../packages/platform/src/audit/store.dynamo.js';
import { ensureTable } from '../../packages/platform/src/data/tables.js';
import { RoutingRegistry } from '../../packages/platform/src/routing/registry.js';
import { DynamoRoutingStore } from '../../packages/platform/src/routing/store.dynamo.js';
import { DynamoTenancyStore } from '../../packages/platform/src/tenancy/store.dynamo.js';
import {
  callBootstrap,
  firstRoutingEntries,
  parseStageOutputs,
  regionOfIssuer,
  writeRoutingEntry,
  writeSystemAdmin,
} from '../../scripts/seed-stage.js';
import { OUTPUTS } from '../../stacks/config.js';

const issuer = 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbCdEf123';
/** What `sst deploy --stage dev` writes to .sst/outputs.json (stack → outputs). */
const outputsFile = {
  'dev-ballast-Data': {
    [OUTPUTS.controlTable]: 'ballast-dev-control',
    [OUTPUTS.pooledTable]: 'ballast-dev-pooled',
    [OUTPUTS.bootstrapSecretArn]: 'arn:aws:secretsmanager:eu-central-1:1:secret:ballast/dev/bootstrap-key-AbCdEf',
    [OUTPUTS.env]: 'dev',
  },
  'dev-ballast-Auth': {
    [OUTPUTS.userPoolId]: 'eu-central-1_AbCdEf123',
    [OUTPUTS.userPoolClientId]: 'client123',
    [OUTPUTS.issuer]: issuer,
  },
  'dev-ballast-Api': { [OUTPUTS.apiUrl]: 'https://abc.execute-api.eu-central-1.amazonaws.com' },
};

const table = `seed_${Date.now().toString(36)}`;
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
afterAll(() => db.destroy());

describe('seed-stage', () => {
  it('reads a stage’s outputs and refuses when one is missing', () => {
    const o = parseStageOutputs(outputsFile, 'dev');
    expect(o).toMatchObject({ controlTable: 'ballast-dev-control', userPoolClientId: 'client123', issuer });
    expect(() => parseStageOutputs(outputsFile, 'prod')).toThrow(/missing: deploy the stage first/);
    expect(regionOfIssuer(issuer)).toBe('eu-central-1');
  });

  it('accepts the console’s hosted-UI client too once the Console stack is deployed', () => {
    const withConsole = { ...outputsFile, 'dev-ballast-Console': { [OUTPUTS.consoleClientId]: 'console789' } };
    const identity = (o: ReturnType<typeof parseStageOutputs>) =>
      firstRoutingEntries(o, 'dev').find((e) => e.kind === 'identity')?.config;
    expect(identity(parseStageOutputs(withConsole, 'dev'))).toMatchObject({ clientIds: ['client123', 'console789'] });
    expect(identity(parseStageOutputs(outputsFile, 'dev'))).toMatchObject({ clientIds: ['client123'] });
  });

  // The identity entry uses the user pool’s issuer and client id; the data entry points at the pooled table.
  it('builds t_system’s identity entry from the pool and its data entry from the pooled table', () => {
    const entries = firstRoutingEntries(parseStageOutputs(outputsFile, 'dev'), 'dev');
    expect(entries).toEqual([
      {
        tenantId: 't_system',
        env: 'dev',
        kind: 'identity',
        config: {
          kind: 'identity',
          issuer,
          clientIds: ['client123'],
          jwksUri: `${issuer}/.well-known/jwks.json`,
          userPoolId: 'eu-central-1_AbCdEf123',
        },
      },
      {
        tenantId: 't_system',
        env: 'dev',
        kind: 'data',
        config: { kind: 'data', mode: 'pooled', tableName: 'ballast-dev-pooled' },
      },
    ]);
  });

  it('writes entries the runtime registry reads, with an audit record each, and is idempotent', async () => {
    const entries = firstRoutingEntries(parseStageOutputs(outputsFile, 'dev'), 'dev');
    for (const e of entries)
      expect(await writeRoutingEntry(db, table, e, { force: false, requestId: 'seed-1' })).toBe('created');
    for (const e of entries)
      expect(await writeRoutingEntry(db, table, e, { force: false, requestId: 'seed-2' })).toBe('unchanged');

    const registry = new RoutingRegistry(new DynamoRoutingStore(db, table), () => Date.now(), 0);
    const identity = await registry.require('t_system', 'dev', 'identity');
    expect(identity.config).toMatchObject({ issuer, clientIds: ['client123'] });
    expect(identity.version).toBe(1);
    expect((await registry.require('t_system', 'dev', 'data')).config).toEqual({
      kind: 'data',
      mode: 'pooled',
      tableName: 'ballast-dev-pooled',
    });

    // a changed pool is only replaced with --force, and bumps the version
    const changed = {
      ...entries[0],
      config: { ...entries[0].config, clientIds: ['client456'] },
    } as (typeof entries)[0];
    expect(await writeRoutingEntry(db, table, changed, { force: false, requestId: 'seed-3' })).toBe('differs');
    expect(await writeRoutingEntry(db, table, changed, { force: true, requestId: 'seed-4' })).toBe('updated');
    registry.invalidate();
    expect((await registry.require('t_system', 'dev', 'identity')).version).toBe(2);

    const audit = await new DynamoAuditStore(db, table).list('t_system', {
      limit: 50,
      since: '2020-01-01T00:00:00.000Z',
      until: new Date().toISOString(),
    });
    const routingAudits = audit.items.filter((a) => a.action === 'routing.put');
    expect(routingAudits).toHaveLength(3);
    expect(routingAudits.every((a) => a.source === 'system' && a.actor === 'system')).toBe(true);
  });

  it('makes the first system admin once', async () => {
    expect(await writeSystemAdmin(db, table, 'sub-123', { requestId: 'seed-5' })).toBe('created');
    expect(await writeSystemAdmin(db, table, 'sub-123', { requestId: 'seed-6' })).toBe('unchanged');
    const member = await new DynamoTenancyStore(db, table).getMember('t_system', 'sub-123');
    expect(member).toMatchObject({ roles: ['admin'], tier: 'sovereign' });
  });

  it('calls the bootstrap route with the key in X-Bootstrap-Key and fails loudly on an error', async () => {
    let seen: { method?: string; url?: string; headers?: IncomingHttpHeaders } = {};
    const server = createServer((req, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers };
      const ok = req.headers['x-bootstrap-key'] === 'the-key';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { tenantId: 't_system', created: [] } : { code: 'BOOTSTRAP_KEY_INVALID' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      expect(await callBootstrap(url, 'the-key')).toEqual({ tenantId: 't_system', created: [] });
      expect(seen).toMatchObject({ method: 'POST', url: '/v1/system/bootstrap' });
      await expect(callBootstrap(url, 'wrong')).rejects.toThrow(/answered 401/);
    } finally {
      server.close();
    }
  });
});
