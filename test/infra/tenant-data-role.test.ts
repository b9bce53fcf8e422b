import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AssumeRoleCommand,
  STSClient,
  TENANT_SESSION_SECONDS,
  TENANT_SESSION_TAG,
  TenantScopedClients,
} from '../../packages/platform/src/data/tenant-credentials.js';
import { tenantDataRole, tenantDataRoleName, tenantDataStatements } from '../../stacks/tenant-data-role.js';
import { allows, type IamRequest, type StatementJson } from '../support/iam-policy.js';

/**
 * Tenant-scoped credentials for the pooled table: the role's policy, evaluated offline, denies a
 * request whose partition key belongs to another tenant — and the platform's per-tenant client
 * really carries its tenant's session (STS mocked at the SDK boundary; the request itself is
 * captured before it leaves and judged by the same policy).
 */

const ACCOUNT = '123456789012';
const table = (name: string) => `arn:aws:dynamodb:eu-central-1:${ACCOUNT}:table/${name}`;
const TABLES = {
  controlTableArn: table('ballast-test-control'),
  pooledTableArn: table('ballast-test-pooled'),
  siloTableArnPattern: table('ballast-test-silo-*'),
};
const statements = tenantDataStatements(TABLES).map((s) => s.toStatementJson() as StatementJson);
const request = (tenant: string, action: string, resource: string, keys?: string[]): IamRequest => ({
  action,
  resource,
  context: { [`aws:PrincipalTag/${TENANT_SESSION_TAG}`]: tenant, 'dynamodb:LeadingKeys': keys },
});
const pooled = TABLES.pooledTableArn;

describe('the tenant data role’s policy', () => {
  it('allows a tenant its own partition keys, in the pooled table, its indexes and silo tables', () => {
    expect(allows(statements, request('t_demo', 'dynamodb:GetItem', pooled, ['TENANT#t_demo#PROJECT#p#X']))).toBe(true);
    expect(allows(statements, request('t_demo', 'dynamodb:Query', pooled, ['TENANT#t_demo']))).toBe(true);
    expect(allows(statements, request('t_demo', 'dynamodb:Query', `${pooled}/index/GSI1`, ['TENANT#t_demo#P']))).toBe(
      true,
    );
    const silo = table('ballast-test-silo-t_acme');
    expect(allows(statements, request('t_acme', 'dynamodb:PutItem', silo, ['TENANT#t_acme#PROJECT#p#Y']))).toBe(true);
  });

  it('denies another tenant’s key, a longer tenant id with the same prefix, and mixed batches', () => {
    expect(allows(statements, request('t_demo', 'dynamodb:GetItem', pooled, ['TENANT#t_acme#PROJECT#p#X']))).toBe(
      false,
    );
    expect(allows(statements, request('t_demo', 'dynamodb:GetItem', pooled, ['TENANT#t_demox#PROJECT#p']))).toBe(false);
    expect(allows(statements, request('t_demo', 'dynamodb:PutItem', pooled, ['TENANT#t_demo', 'TENANT#t_acme']))).toBe(
      false,
    );
    const silo = table('ballast-test-silo-t_acme');
    expect(allows(statements, request('t_demo', 'dynamodb:GetItem', silo, ['TENANT#t_acme#PROJECT#p#Y']))).toBe(false);
  });

  it('denies a data request without leading keys (a Scan), and tables that are not Ballast’s', () => {
    expect(allows(statements, request('t_demo', 'dynamodb:Query', pooled, undefined))).toBe(false);
    expect(allows(statements, request('t_demo', 'dynamodb:Scan', pooled, ['TENANT#t_demo']))).toBe(false);
    expect(allows(statements, request('t_demo', 'dynamodb:GetItem', table('other'), ['TENANT#t_demo']))).toBe(false);
  });

  it('leaves the control table as the functions have it (audit records share the transaction)', () => {
    const control = TABLES.controlTableArn;
    expect(allows(statements, request('t_demo', 'dynamodb:PutItem', control, ['AUDIT#2026-12#3']))).toBe(true);
    expect(allows(statements, request('t_demo', 'dynamodb:DeleteTable', control, undefined))).toBe(false);
  });

  it('is a role of its own, assumable with exactly one tenant tag', () => {
    const stack = new Stack(new App(), 'TenantDataRoleTest', { env: { account: ACCOUNT, region: 'eu-central-1' } });
    tenantDataRole(stack, 'test', TABLES);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    const [role] = Object.values(template.findResources('AWS::IAM::Role'));
    expect(role.Properties.RoleName).toBe(tenantDataRoleName('test'));
    const trust = role.Properties.AssumeRolePolicyDocument.Statement as Array<Record<string, unknown>>;
    const tagging = trust.find((s) => s.Action === 'sts:TagSession');
    expect(tagging?.Condition).toEqual({
      StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: '?*' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
    });
    const inline = role.Properties.Policies[0].PolicyDocument.Statement as StatementJson[];
    expect(allows(inline, request('t_demo', 'dynamodb:GetItem', pooled, ['TENANT#t_acme#X']))).toBe(false);
  });
});

describe('the per-tenant client', () => {
  const sts = mockClient(STSClient);
  let now = Date.parse('2026-12-02T10:00:00Z');
  /** what STS answers: a credential whose key id names the tenant tag it was issued for */
  const issue = (input: { Tags?: Array<{ Value?: string }> }) => ({
    Credentials: {
      AccessKeyId: `ASIA${input.Tags?.[0]?.Value}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(now + TENANT_SESSION_SECONDS * 1000),
    },
  });
  beforeEach(() => {
    sts.reset();
    now = Date.parse('2026-12-02T10:00:00Z');
    sts.on(AssumeRoleCommand).callsFake(issue);
  });
  const clients = () =>
    new TenantScopedClients({
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${tenantDataRoleName('test')}`,
      region: 'eu-central-1',
      sts: new STSClient({ region: 'eu-central-1' }),
      now: () => now,
      stage: 'test',
    });

  /**
   * Sends a command through the tenant's client and stops it before the network: what IAM would
   * see — the session's tenant (the credential STS issued for it) and the request's partition keys.
   */
  async function judged(
    c: TenantScopedClients,
    tenant: string,
    command: GetCommand | QueryCommand | TransactWriteCommand,
  ) {
    const client = await c.clientFor(tenant, 'write');
    let seen: IamRequest | undefined;
    client.middlewareStack.remove('judge');
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        const keyOf = (k: unknown) => String((k as { PK?: { S?: string } }).PK?.S ?? '');
        const items =
          (input.TransactItems as Array<Record<string, { Key?: unknown; Item?: unknown }>> | undefined) ?? [];
        const keys = input.Key
          ? [keyOf(input.Key)]
          : input.ExpressionAttributeValues
            ? [String((input.ExpressionAttributeValues as Record<string, { S?: string }>)[':pk']?.S)]
            : items.map((t) => keyOf(Object.values(t)[0].Key ?? Object.values(t)[0].Item));
        const credentials = await client.config.credentials();
        const operation = String(context.commandName).replace(/Command$/, '');
        seen = {
          // IAM authorises each item of a transaction as the write it is (here: puts)
          action: `dynamodb:${operation === 'TransactWriteItems' ? 'PutItem' : operation}`,
          resource: TABLES.pooledTableArn,
          context: {
            [`aws:PrincipalTag/${TENANT_SESSION_TAG}`]: credentials.accessKeyId.replace(/^ASIA/, ''),
            'dynamodb:LeadingKeys': keys,
          },
        };
        throw new Error('stopped before the network');
      },
      { step: 'finalizeRequest', name: 'judge' },
    );
    await expect(client.send(command as GetCommand)).rejects.toThrow('stopped before the network');
    if (!seen) throw new Error('the request was not seen');
    return { request: seen, allowed: allows(statements, seen) };
  }

  it('assumes the role once per tenant with the tenant as session tag, and renews before expiry', async () => {
    const c = clients();
    await c.clientFor('t_demo', 'write');
    await c.clientFor('t_demo', 'write');
    await c.clientFor('t_acme', 'write');
    expect(sts.calls()).toHaveLength(2);
    const first = sts.call(0).args[0].input;
    expect(first).toMatchObject({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/ballast-test-tenant-data`,
      RoleSessionName: 'ballast-test-write-t_demo',
      DurationSeconds: TENANT_SESSION_SECONDS,
      Tags: [{ Key: TENANT_SESSION_TAG, Value: 't_demo' }],
    });
    // 14 minutes on: within two minutes of expiry, a fresh session
    now += 14 * 60_000;
    await c.clientFor('t_demo', 'write');
    expect(sts.calls()).toHaveLength(3);
    // a read-only session is a session of its own, narrowed by a session policy to reads
    await c.clientFor('t_demo', 'read');
    const read = sts.call(3).args[0].input as { Policy?: string };
    expect(JSON.parse(read.Policy ?? '{}').Statement[0].Action).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
    ]);
  });

  it('a bug that reads another tenant’s key with t_demo’s client is denied by the policy', async () => {
    const c = clients();
    const own = await judged(
      c,
      't_demo',
      new GetCommand({
        TableName: 'ballast-test-pooled',
        Key: { PK: 'TENANT#t_demo#PROJECT#p_demo#PORTFOLIOS', SK: 'x' },
      }),
    );
    expect(own.allowed).toBe(true);
    const foreign = await judged(
      c,
      't_demo',
      new GetCommand({
        TableName: 'ballast-test-pooled',
        Key: { PK: 'TENANT#t_acme#PROJECT#p_acme#PORTFOLIOS', SK: 'x' },
      }),
    );
    expect(foreign.request.context['aws:PrincipalTag/TenantId']).toBe('t_demo');
    expect(foreign.allowed).toBe(false);
    const mixed = await judged(
      c,
      't_demo',
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 'ballast-test-pooled', Item: { PK: 'TENANT#t_demo#A', SK: '1' } } },
          { Put: { TableName: 'ballast-test-pooled', Item: { PK: 'TENANT#t_acme#B', SK: '1' } } },
        ],
      }),
    );
    expect(mixed.allowed).toBe(false);
  });

  it('a failed AssumeRole is not cached', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(new Error('throttled')).callsFake(issue);
    const c = clients();
    await expect(c.clientFor('t_demo', 'read')).rejects.toThrow('throttled');
    await c.clientFor('t_demo', 'read');
    expect(sts.calls()).toHaveLength(2);
  });
});
