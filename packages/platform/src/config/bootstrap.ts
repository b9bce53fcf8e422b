/**
 * The one module that reads process.env (an architecture test keeps it that way).
 * Bootstrap settings only: where the control table is, the region, where the bootstrap key lives.
 * Everything else comes from the routing registry and the secret resolver.
 */
export interface BootstrapConfig {
  /** Control table name (tenants, modes, routing, keys, counters). */
  controlTable: string;
  region: string;
  /** DynamoDB endpoint override (DynamoDB Local); absent in the cloud. */
  dynamoEndpoint?: string;
  /** Reference to the secret that keeps the system bootstrap key. */
  bootstrapSecretRef: string;
  /**
   * Reference to the secret whose value keys the HMAC of pagination cursors. Only list routes
   * (`uses.secrets: ['cursor']`) resolve it; without it they answer 503 CURSOR_KEY_NOT_CONFIGURED.
   */
  cursorSecretRef?: string;
  /** Deployment's default env when a request sends no X-Env. */
  defaultEnv: 'dev' | 'staging' | 'prod';
  /** Secret store: 'aws' (Secrets Manager) or 'local' (files under a directory). */
  secretsBackend: 'aws' | 'local';
  /** Directory of the local secret store (local runtime only). */
  localSecretsDir?: string;
  /** Stage name (used in log lines and metrics). */
  stage: string;
  /** Log level for Powertools Logger. */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Job id → SQS queue URL (the dispatcher only). */
  jobQueues?: Record<string, string>;
  /** SQS endpoint override (the local emulator). */
  sqsEndpoint?: string;
  /** Table of job-run idempotency records (job workers only). */
  jobsIdempotencyTable?: string;
  /**
   * The stage's pooled blob bucket (S3), for the routes and workers whose `uses` name `blobs`:
   * every tenant's objects under its own prefix (data/blobs.ts), silo tenants' too. Like the
   * control table it is the stage's, not a tenant's, so it is a bootstrap setting and not a
   * routing entry; a function without it answers 503 BLOBS_NOT_CONFIGURED when it needs it.
   */
  blobBucket?: string;
  /** S3 endpoint override (the local emulator). */
  s3Endpoint?: string;
  /** What was deployed: the commit the stacks were synthesised from (detailed health shows it). */
  buildVersion?: string;
  /**
   * The role data requests assume per tenant (tenant-scoped credentials, data/tenant-credentials.ts);
   * absent locally, where every request uses the process's own client.
   */
  tenantDataRoleArn?: string;
  /**
   * The address notifications are e-mailed from (`alerts@example.com`, or `Name <alerts@…>`), an
   * identity the stage verified in Amazon SES; given to the functions that notify. Without it
   * e-mail is not bound in the cloud (each e-mail delivery is recorded failed, saying so).
   */
  emailFrom?: string;
}

const ENV_NAMES = ['dev', 'staging', 'prod'] as const;

/** Parses a settings map (process.env shape); throws listing every missing or invalid setting. */
export function parseBootstrapConfig(env: Record<string, string | undefined>): BootstrapConfig {
  const problems: string[] = [];
  const need = (name: string): string => {
    const v = env[name]?.trim();
    if (!v) problems.push(`${name} is not set`);
    return v ?? '';
  };
  const controlTable = need('BALLAST_CONTROL_TABLE');
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || '';
  if (!region) problems.push('AWS_REGION is not set');
  const bootstrapSecretRef = need('BALLAST_BOOTSTRAP_SECRET');
  const defaultEnv = (env.BALLAST_ENV?.trim().toLowerCase() || 'dev') as BootstrapConfig['defaultEnv'];
  if (!ENV_NAMES.includes(defaultEnv)) problems.push(`BALLAST_ENV must be one of ${ENV_NAMES.join('|')}`);
  const secretsBackend = (env.BALLAST_SECRETS_BACKEND?.trim() || 'aws') as BootstrapConfig['secretsBackend'];
  if (secretsBackend !== 'aws' && secretsBackend !== 'local')
    problems.push('BALLAST_SECRETS_BACKEND must be aws|local');
  const localSecretsDir = env.BALLAST_LOCAL_SECRETS_DIR?.trim() || undefined;
  if (secretsBackend === 'local' && !localSecretsDir)
    problems.push('BALLAST_LOCAL_SECRETS_DIR is not set (needed when BALLAST_SECRETS_BACKEND=local)');
  const logLevel = (env.BALLAST_LOG_LEVEL?.trim().toUpperCase() || 'INFO') as BootstrapConfig['logLevel'];
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel))
    problems.push('BALLAST_LOG_LEVEL must be DEBUG|INFO|WARN|ERROR');
  let jobQueues: Record<string, string> | undefined;
  const queuesSetting = env.BALLAST_JOB_QUEUES?.trim();
  if (queuesSetting) {
    try {
      const parsed = JSON.parse(queuesSetting) as unknown;
      const ok =
        typeof parsed === 'object' &&
        parsed !== null &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((url) => typeof url === 'string' && /^https?:\/\//.test(url));
      if (!ok) throw new Error('not a map of URLs');
      jobQueues = parsed as Record<string, string>;
    } catch {
      problems.push('BALLAST_JOB_QUEUES must be a JSON object of job id → queue URL');
    }
  }
  if (problems.length) {
    throw new Error(`Ballast refuses to start; missing or invalid settings:\n- ${problems.join('\n- ')}`);
  }
  return {
    controlTable,
    region,
    dynamoEndpoint: env.BALLAST_DYNAMODB_ENDPOINT?.trim() || undefined,
    bootstrapSecretRef,
    cursorSecretRef: env.BALLAST_CURSOR_SECRET?.trim() || undefined,
    defaultEnv,
    secretsBackend,
    localSecretsDir,
    stage: env.BALLAST_STAGE?.trim() || 'local',
    logLevel,
    jobQueues,
    jobsIdempotencyTable: env.BALLAST_JOBS_IDEMPOTENCY_TABLE?.trim() || undefined,
    blobBucket: env.BALLAST_BLOB_BUCKET?.trim() || undefined,
    s3Endpoint: env.BALLAST_S3_ENDPOINT?.trim() || undefined,
    buildVersion: env.BALLAST_BUILD_VERSION?.trim() || undefined,
    tenantDataRoleArn: env.BALLAST_TENANT_DATA_ROLE?.trim() || undefined,
    emailFrom: env.BALLAST_EMAIL_FROM?.trim() || undefined,
  };
}

let override: BootstrapConfig | undefined;
let cached: BootstrapConfig | undefined;

/**
 * The process's bootstrap settings. In Lambda they come from the function's environment; the local
 * runtime and tests hand them in with `configureBootstrap` instead of mutating process.env.
 */
export function bootstrapConfig(): BootstrapConfig {
  if (override) return override;
  cached ??= parseBootstrapConfig(process.env);
  return cached;
}

export function configureBootstrap(config: BootstrapConfig): void {
  override = config;
}
