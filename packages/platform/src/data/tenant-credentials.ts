import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BoundedCache } from '../config/caches.js';
import { createDocumentClient } from './client.js';

/** The session tag the tenant data role's policy reads (`${aws:PrincipalTag/TenantId}`). */
export const TENANT_SESSION_TAG = 'TenantId';
/** STS's minimum; a short session bounds what a leaked credential could do. */
export const TENANT_SESSION_SECONDS = 900;
/** A credential is renewed this long before it expires, so no call is sent with a dying one. */
const RENEW_BEFORE_MS = 120_000;
/** At most this many tenants' clients per function instance (LRU beyond it). */
const MAX_TENANTS = 500;

export type DataAccess = 'read' | 'write';
/**
 * The session policy of a read-only session: a session's rights are the role's AND this, so a
 * route that only reads (uses.data: 'read') cannot write through its tenant's session either.
 */
export const READ_ONLY_SESSION_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem'],
      Resource: '*',
    },
  ],
});

interface Session {
  client: DynamoDBDocumentClient;
  expiresAt: number;
}

/**
 * Defence in depth for the pooled table: each tenant's data requests run with credentials whose
 * session policy allows only items whose partition key starts with that tenant
 * (`dynamodb:LeadingKeys`, stacks/Data.ts). STS AssumeRole with the tenant as a session tag; the
 * credential and its DynamoDB client are cached per tenant for the credential's lifetime, so
 * AssumeRole runs about once per tenant per 13 minutes per function instance. A bug that builds
 * another tenant's key is then denied by IAM, not only by the code's own key prefixes.
 */
export class TenantScopedClients {
  private readonly sessions: BoundedCache<string, Promise<Session>>;

  constructor(
    private readonly opts: {
      roleArn: string;
      region: string;
      sts: STSClient;
      now: () => number;
      /** the stage, to name sessions in CloudTrail */
      stage: string;
      /** a DynamoDB endpoint override (the benchmark's DynamoDB Local); absent in the cloud */
      endpoint?: string;
    },
  ) {
    // entries live until renewal; the cache's age limit is the session length
    this.sessions = new BoundedCache({ max: MAX_TENANTS, ttlMs: TENANT_SESSION_SECONDS * 1000 }, opts.now);
  }

  /**
   * The tenant's document client, with credentials that reach only its own items — and, for
   * `read`, only with reads. Control-table items of the same transaction (audit) are the role's.
   */
  async clientFor(tenantId: string, access: DataAccess): Promise<DynamoDBDocumentClient> {
    const key = `${access}\u0000${tenantId}`;
    const cached = this.sessions.get(key);
    if (cached) {
      const session = await cached;
      if (session.expiresAt - this.opts.now() > RENEW_BEFORE_MS) return session.client;
    }
    const fresh = this.assume(tenantId, access);
    this.sessions.set(key, fresh);
    fresh.catch(() => this.sessions.delete(key));
    return (await fresh).client;
  }

  private async assume(tenantId: string, access: DataAccess): Promise<Session> {
    const res = await this.opts.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.opts.roleArn,
        // CloudTrail shows which tenant a data call was made for
        RoleSessionName: `ballast-${this.opts.stage}-${access}-${tenantId}`.slice(0, 64),
        DurationSeconds: TENANT_SESSION_SECONDS,
        Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
        ...(access === 'read' ? { Policy: READ_ONLY_SESSION_POLICY } : {}),
      }),
    );
    const c = res.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error('STS answered AssumeRole without credentials');
    }
    const credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    const endpoint = this.opts.endpoint ? { endpoint: this.opts.endpoint } : {};
    const client = createDocumentClient(new DynamoDBClient({ region: this.opts.region, credentials, ...endpoint }));
    return { client, expiresAt: c.Expiration.getTime() };
  }
}

/** The SDK classes this module sends with (a test mocks this very class). */
export { AssumeRoleCommand, STSClient };

export function stsTenantClients(opts: {
  roleArn: string;
  region: string;
  stage: string;
  now: () => number;
}): TenantScopedClients {
  return new TenantScopedClients({ ...opts, sts: new STSClient({ region: opts.region }) });
}
