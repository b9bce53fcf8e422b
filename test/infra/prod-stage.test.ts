import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SILO_CONTEXT, stageNames } from '../../stacks/config.js';
import { JOB_TAG, ROUTE_TAG } from '../../stacks/functions.js';
import { resourcesAcross, resourcesOf, synthForTest, tagValue, type TestSynth } from './synth.js';

/**
 * A prod-like stage, synthesised without bundling the functions (every stack is inactive, so SST
 * gives functions placeholder code; everything else is as deployed). Bundling is proven in
 * stacks.test.ts.
 */
const STAGE = 'prod';
const names = stageNames(STAGE);
let s: TestSynth;

beforeAll(async () => {
  s = await synthForTest({ stage: STAGE, context: { [SILO_CONTEXT]: 't_acme' }, build: false });
}, 300_000);

afterAll(async () => {
  await s?.cleanup();
});

describe('prod-like stage', () => {
  it('protects and retains every table, and creates the silo table an enterprise tenant was given', () => {
    const tables = resourcesOf(s.json.Data, 'AWS::DynamoDB::Table');
    expect(tables.map(([, t]) => t.Properties?.TableName).sort()).toEqual(
      [names.controlTable, names.pooledTable, names.siloTable('t_acme')].sort(),
    );
    for (const [id, t] of tables) {
      expect(t.DeletionPolicy, id).toBe('Retain');
      expect(t.UpdateReplacePolicy, id).toBe('Retain');
      expect(t.Properties?.DeletionProtectionEnabled, id).toBe(true);
      expect(t.Properties?.PointInTimeRecoverySpecification, id).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(t.Properties?.SSESpecification, id).toEqual({ SSEEnabled: true });
      expect(t.Properties?.TimeToLiveSpecification, id).toEqual({ AttributeName: 'ttl', Enabled: true });
    }
    const [siloId, silo] = tables.find(([, t]) => t.Properties?.TableName === 'ballast-prod-silo-t_acme')!;
    const control = tables.find(([, t]) => t.Properties?.TableName === names.controlTable)![1];
    expect(silo.Properties?.KeySchema).toEqual(control.Properties?.KeySchema);
    expect(silo.Properties?.GlobalSecondaryIndexes).toEqual(control.Properties?.GlobalSecondaryIndexes);
    const out = Object.values(s.json.Data.Outputs ?? {}).find(
      (o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: siloId }),
    );
    expect(out).toBeDefined();
  });

  it('protects and retains the jobs idempotency table too', () => {
    const [[id, table]] = resourcesOf(s.json.Jobs, 'AWS::DynamoDB::Table');
    expect(table.Properties?.TableName, id).toBe(names.jobsIdempotencyTable);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
    expect(table.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('retains the bootstrap secret and the user pool, with deletion protection on the pool', () => {
    const [, secret] = resourcesOf(s.json.Data, 'AWS::SecretsManager::Secret')[0];
    expect(secret.DeletionPolicy).toBe('Retain');
    const [, pool] = resourcesOf(s.json.Auth, 'AWS::Cognito::UserPool')[0];
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties?.DeletionProtection).toBe('ACTIVE');
  });

  it('serves the prod env and scopes silo access to prod silo tables', () => {
    const fns = resourcesAcross(s, 'AWS::Lambda::Function').filter(
      (f) => tagValue(f.resource, ROUTE_TAG) ?? tagValue(f.resource, JOB_TAG),
    );
    expect(fns.length).toBeGreaterThan(1);
    for (const { resource: fn } of fns) {
      const vars = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(vars.BALLAST_ENV).toBe('prod');
      expect(vars.BALLAST_STAGE).toBe('prod');
    }
    const functionStacks = s.stacks.filter((id) => id !== 'Data' && id !== 'Auth' && id !== 'Observability');
    const text = JSON.stringify(functionStacks.map((id) => s.json[id]));
    expect(text).toContain(':table/ballast-prod-silo-*');
    expect(text).not.toContain('-silo-t_acme');
  });

  it('keeps logs longer on prod-like stages', () => {
    const groups = resourcesAcross(s, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) expect(g.resource.Properties?.RetentionInDays, `${g.stack}/${g.id}`).toBe(90);
  });
});
