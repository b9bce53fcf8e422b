import { AccountRootPrincipal, Effect, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TENANT_SESSION_TAG } from '../packages/platform/src/data/tenant-credentials.js';
import { DDB_INDEX_READ, DDB_READ, DDB_WRITE } from './permissions.js';

/** The role's fixed name, so functions in any stack can be granted it without a cross-stack reference. */
export const tenantDataRoleName = (stage: string) => `ballast-${stage}-tenant-data`;

/** The session tag as IAM policy variable: the tenant a session was assumed for. */
const TENANT = `\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`;

export interface TenantDataTables {
  controlTableArn: string;
  pooledTableArn: string;
  /** `arn:…:table/ballast-<stage>-silo-*` */
  siloTableArnPattern: string;
}

/**
 * What a tenant's session may do: data tables only on items whose partition key is the tenant's
 * (`TENANT#<t>` or `TENANT#<t>#…`, never `TENANT#<t>x…`), and the key must be there (`Null`: a
 * request without leading keys, such as a Scan, is not allowed by a vacuous `ForAllValues`). The
 * control table as the functions' own roles have it: a unit of work writes its audit record in
 * the same transaction as the tenant's data, and one transaction runs with one credential.
 */
export function tenantDataStatements(t: TenantDataTables): PolicyStatement[] {
  const indexes = (arn: string) => `${arn}/index/*`;
  const dataTables = [t.pooledTableArn, t.siloTableArnPattern];
  return [
    new PolicyStatement({
      sid: 'OwnTenantItemsOnly',
      effect: Effect.ALLOW,
      actions: [...DDB_READ, ...DDB_WRITE],
      resources: [...dataTables, ...dataTables.map(indexes)],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`TENANT#${TENANT}`, `TENANT#${TENANT}#*`] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    }),
    new PolicyStatement({
      sid: 'ControlTable',
      effect: Effect.ALLOW,
      actions: [...DDB_READ, ...DDB_WRITE],
      resources: [t.controlTableArn],
    }),
    new PolicyStatement({
      sid: 'ControlTableIndexRead',
      effect: Effect.ALLOW,
      actions: [...DDB_INDEX_READ],
      resources: [indexes(t.controlTableArn)],
    }),
  ];
}

/**
 * The role every data request of the pooled (and silo) tables runs as in the cloud, assumed per
 * tenant with the tenant as a session tag (packages/platform/src/data/tenant-credentials.ts). Its
 * trust names the account: which functions may assume it is their own roles' `sts:AssumeRole`
 * grant (stacks/permissions.ts); the session must carry exactly the one tenant tag.
 */
export function tenantDataRole(scope: Construct, stage: string, tables: TenantDataTables): Role {
  const role = new Role(scope, 'TenantDataRole', {
    roleName: tenantDataRoleName(stage),
    description: `Ballast ${stage}: a tenant's data requests, confined to its own partition keys`,
    assumedBy: new AccountRootPrincipal(),
    inlinePolicies: { TenantItems: new PolicyDocument({ statements: tenantDataStatements(tables) }) },
  });
  const trust = role.assumeRolePolicy;
  if (!trust) throw new Error('a role always has a trust policy');
  trust.addStatements(
    new PolicyStatement({
      sid: 'TagTheTenant',
      effect: Effect.ALLOW,
      principals: [new AccountRootPrincipal()],
      actions: ['sts:TagSession'],
      conditions: {
        StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: '?*' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
      },
    }),
  );
  return role;
}
