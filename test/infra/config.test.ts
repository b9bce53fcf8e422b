import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_ROUTES as ROUTES } from '../../packages/app/src/routes.js';
import { needsAuthorizer } from '../../stacks/Api.js';
import { sstHandler } from '../../stacks/bundling.js';
import { assertStageName, isProdLike, siloTenants, siloTenantsFor, stageEnv, stageNames } from '../../stacks/config.js';
import { routeStatements, type PermissionTargets } from '../../stacks/permissions.js';

const targets: PermissionTargets = {
  controlTableArn: 'arn:aws:dynamodb:r:1:table/ballast-s-control',
  pooledTableArn: 'arn:aws:dynamodb:r:1:table/ballast-s-pooled',
  siloTableArnPattern: 'arn:aws:dynamodb:r:1:table/ballast-s-silo-*',
  bootstrapSecretArn: 'arn:aws:secretsmanager:r:1:secret:ballast/s/bootstrap-key-AbCdEf',
  tenantSecretArnPattern: 'arn:aws:secretsmanager:r:1:secret:ballast/s/tenants/*',
};
const json = (x: { toStatementJson(): unknown }) =>
  x.toStatementJson() as { Action: string | string[]; Resource: string | string[]; Sid: string };
const arr = <T>(x: T | T[]) => (Array.isArray(x) ? x : [x]);

describe('stage configuration', () => {
  it('maps stages to envs: prod→prod, staging→staging, anything else→dev', () => {
    expect(stageEnv('prod')).toBe('prod');
    expect(stageEnv('staging')).toBe('staging');
    expect(stageEnv('dev')).toBe('dev');
    expect(stageEnv('pr-42')).toBe('dev');
    expect(isProdLike('prod') && isProdLike('staging')).toBe(true);
    expect(isProdLike('dev') || isProdLike('alice')).toBe(false);
  });

  it('names everything after the stage', () => {
    const n = stageNames('dev');
    expect(n).toMatchObject({
      controlTable: 'ballast-dev-control',
      pooledTable: 'ballast-dev-pooled',
      bootstrapSecret: 'ballast/dev/bootstrap-key',
      tenantSecretPrefix: 'ballast/dev/tenants/',
    });
    expect(n.siloTable('t_acme')).toBe('ballast-dev-silo-t_acme');
    // control and pooled tables never match the silo pattern
    expect(n.controlTable.startsWith(n.siloTablePrefix) || n.pooledTable.startsWith(n.siloTablePrefix)).toBe(false);
  });

  it('refuses unusable stage names', () => {
    expect(() => assertStageName('dev')).not.toThrow();
    expect(() => assertStageName('Bad Stage')).toThrow(/not usable/);
    expect(() => assertStageName('-x')).toThrow();
  });

  it('reads silo tenants per stage from a file or from context, validating tenant ids', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ballast-silo-'));
    try {
      const file = path.join(dir, 'silo.json');
      writeFileSync(file, JSON.stringify({ stages: { prod: ['t_acme', 't_globex'] } }));
      expect(siloTenants('prod', pathToFileURL(file))).toEqual(['t_acme', 't_globex']);
      expect(siloTenants('dev', pathToFileURL(file))).toEqual([]);
      writeFileSync(file, JSON.stringify({ stages: { prod: ['Bad-Id'] } }));
      expect(() => siloTenants('prod', pathToFileURL(file))).toThrow(/not a tenant id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(siloTenants('prod')).toEqual([]);
    expect(siloTenantsFor('t_a, t_b', 'prod')).toEqual(['t_a', 't_b']);
    expect(siloTenantsFor(['t_a'], 'prod')).toEqual(['t_a']);
    expect(() => siloTenantsFor('t_a,t_a', 'prod')).toThrow(/duplicate/);
    expect(() => siloTenantsFor('x*', 'prod')).toThrow(/not a tenant id/);
  });

  it('turns route handler modules into SST handler strings', () => {
    expect(sstHandler('functions/portfolios/create.ts')).toBe('functions/portfolios/create.handler');
    expect(() => sstHandler('packages/platform/src/x.ts')).toThrow();
    for (const r of ROUTES) expect(sstHandler(r.handler)).toMatch(/^functions\/.+\.handler$/);
  });

  it('puts the authorizer on every route but public and bootstrap-key ones', () => {
    expect(needsAuthorizer({ access: 'public' })).toBe(false);
    expect(needsAuthorizer({ access: 'bootstrapKey' })).toBe(false);
    for (const a of ['authenticated', 'tenant', 'project', 'system'] as const)
      expect(needsAuthorizer({ access: a })).toBe(true);
  });
});

describe('route permissions', () => {
  it('gives a control-read route reads plus the rate-limit UpdateItem, and nothing on data or secrets', () => {
    const st = routeStatements({ uses: { control: 'read' } }, targets).map(json);
    const actions = st.flatMap((s) => arr(s.Action));
    expect(actions).toContain('dynamodb:UpdateItem');
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(st.flatMap((s) => arr(s.Resource)).every((r) => r.startsWith(targets.controlTableArn))).toBe(true);
  });

  it('gives an idempotent route put/delete on the control table for its idempotency records', () => {
    const st = routeStatements({ uses: { control: 'read' }, idempotent: true }, targets).map(json);
    expect(st.find((s) => s.Sid === 'ControlTableWrite')!.Action).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]);
  });

  it('gives data readers read actions on the pooled table and the stage’s silo pattern only', () => {
    const st = routeStatements({ uses: { control: 'read', data: 'read' } }, targets).map(json);
    expect(st.find((s) => s.Sid === 'DataTablesWrite')).toBeUndefined();
    expect(st.find((s) => s.Sid === 'DataTablesRead')!.Resource).toEqual([
      targets.pooledTableArn,
      targets.siloTableArnPattern,
    ]);
    expect(st.find((s) => s.Sid === 'DataTablesIndexRead')!.Resource).toEqual([
      `${targets.pooledTableArn}/index/*`,
      `${targets.siloTableArnPattern}/index/*`,
    ]);
  });

  it('grants secrets only as declared', () => {
    const none = routeStatements({ uses: { control: 'write' } }, targets).map(json);
    expect(none.flatMap((s) => arr(s.Action)).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    const both = routeStatements({ uses: { control: 'write', secrets: ['bootstrap', 'tenant'] } }, targets).map(json);
    expect(both.find((s) => s.Sid === 'BootstrapSecretRead')!.Resource).toBe(targets.bootstrapSecretArn);
    expect(both.find((s) => s.Sid === 'TenantSecretsRead')!.Resource).toBe(targets.tenantSecretArnPattern);
  });

  it('never grants a * action or a * resource', () => {
    for (const r of ROUTES) {
      for (const s of routeStatements(r, targets).map(json)) {
        for (const a of arr(s.Action)) expect(a.includes('*'), `${r.id} ${a}`).toBe(false);
        for (const res of arr(s.Resource)) expect(res === '*', r.id).toBe(false);
      }
    }
  });
});
