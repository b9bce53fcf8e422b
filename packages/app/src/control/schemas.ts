import {
  boundedString,
  emptyBody,
  env,
  integer,
  isoTime,
  listQuery,
  modeName,
  pageOf,
  projectId,
  role,
  tenantId,
  tier,
  userId,
} from '@ballast/platform/schemas/common.js';
import { routingConfig, routingEntry, routingKind } from '@ballast/platform/routing/schemas.js';
import { boundedMap } from '@ballast/platform/schemas/free-form.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';

export { listQuery, emptyBody };

// Every schema is built on first use (`lazy`): a Lambda of this context builds only its own route's.

/** API keys act tenant-wide or in one project (see `projectKeys` in routes.ts). */
const API_KEY_SCOPES = ['tenant', 'project'] as const;

// ---- modes
export const modeParams = lazy(() => z.strictObject({ mode: modeName }));
/** A PUT replaces the mode's editable state: a field left out is reset, not kept. */
export const modeBody = lazy(() =>
  z.strictObject({
    description: z.string().check(z.maxLength(500)),
    defaults: z._default(boundedMap(z.unknown()), {}),
  }),
);
export const mode = lazy(() =>
  z.object({
    mode: z.string(),
    description: z.string(),
    defaults: z.record(z.string(), z.unknown()),
    ownerTenantId: z.string(),
    updatedAt: z.string(),
    version: integer,
  }),
);

// ---- tenants
export const tenantParams = lazy(() => z.strictObject({ tenantId }));
export const createTenantBody = lazy(() =>
  z.strictObject({
    tenantId,
    name: boundedString(1, 200),
    mode: z._default(modeName, 'saas'),
    /** the highest tier a member or key of the tenant may hold (default: the top tier) */
    tierCeiling: z.optional(tier),
  }),
);
export const patchTenantBody = lazy(() =>
  z
    .strictObject({
      name: z.optional(boundedString(1, 200)),
      mode: z.optional(modeName),
      /** system admins only */
      tierCeiling: z.optional(tier),
    })
    .check(z.refine((b) => Object.values(b).some((v) => v !== undefined), 'name, mode or tierCeiling is required')),
);
export const tenant = lazy(() =>
  z.object({
    tenantId: z.string(),
    name: z.string(),
    mode: z.string(),
    tierCeiling: tier,
    createdAt: z.string(),
    updatedAt: z.string(),
    version: integer,
  }),
);

// ---- projects
export const projectParams = lazy(() => z.strictObject({ tenantId, projectId }));
export const createProjectBody = lazy(() =>
  z.strictObject({
    projectId,
    name: boundedString(1, 200),
    surface: z._default(z.enum(['web', 'mobile', 'api', 'desktop']), 'web'),
    app: z.optional(boundedMap(z.string().check(z.maxLength(500)), { maxDepth: 1, maxString: 500 })),
  }),
);
export const project = lazy(() =>
  z.object({
    tenantId: z.string(),
    projectId: z.string(),
    name: z.string(),
    surface: z.string(),
    app: z.optional(z.record(z.string(), z.string())),
    createdAt: z.string(),
    version: integer,
  }),
);

// ---- members
export const memberParams = lazy(() => z.strictObject({ tenantId, userId }));
export const putMemberBody = lazy(() =>
  z.strictObject({ roles: z.array(role).check(z.minLength(1), z.maxLength(3)), tier }),
);
export const member = lazy(() =>
  z.object({
    tenantId: z.string(),
    userId: z.string(),
    roles: z.array(role),
    tier,
    updatedAt: z.string(),
    version: integer,
  }),
);

// ---- routing
export { routingConfig, routingEntry };
/** An entry as stored: its config is shown even when it no longer validates, so an admin can fix it. */
export const storedRoutingEntry = lazy(() => z.extend(routingEntry, { config: z.unknown() }));
export const routingParams = lazy(() => z.strictObject({ tenantId, env, kind: routingKind }));

// ---- API keys
export const createApiKeyBody = lazy(() =>
  z.strictObject({
    name: boundedString(1, 100),
    tier,
    roles: z.array(role).check(z.minLength(1), z.maxLength(3)),
    /** `project` (default): the key acts in one project only; `tenant`: tenant-wide */
    scope: z._default(z.enum(API_KEY_SCOPES), 'project'),
    /** a project-scoped key's project (default: X-Project-Id); none for a tenant-scoped key */
    projectId: z.optional(projectId),
    expiresAt: z.optional(isoTime),
  }),
);
export const apiKeyParams = lazy(() =>
  z.strictObject({
    keyId: z.string().check(z.regex(/^k_[A-Za-z0-9]{10,40}$/, 'is not a key id')),
  }),
);
export const apiKey = lazy(() =>
  z.object({
    keyId: z.string(),
    tenantId: z.string(),
    scope: z.enum(API_KEY_SCOPES),
    projectId: z.optional(z.string()),
    name: z.string(),
    tier,
    roles: z.array(role),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.optional(z.string()),
    revokedAt: z.optional(z.string()),
    version: integer,
  }),
);
export const createdApiKey = lazy(() => z.extend(apiKey(), { secret: z.string() }));

// ---- identity
export const me = lazy(() =>
  z.object({
    tenantId: z.string(),
    env: z.string(),
    projectId: z.optional(z.string()),
    user: z.optional(z.string()),
    apiKeyId: z.optional(z.string()),
    principal: z.string(),
    tier,
    roles: z.array(role),
    mode: z.string(),
    systemAdmin: z.boolean(),
    requestId: z.string(),
  }),
);

// ---- audit
export const auditQuery = lazy(() =>
  z.extend(listQuery, {
    resource: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
    action: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9.]{0,99}$/, 'is not an action name'))),
  }),
);
export const auditRecord = lazy(() =>
  z.object({
    auditId: z.string(),
    tenantId: z.string(),
    at: z.string(),
    actor: z.string(),
    actorKind: z.enum(['user', 'apiKey', 'system', 'scheduler']),
    action: z.string(),
    resource: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    source: z.enum(['api', 'scheduler', 'agent', 'system']),
    requestId: z.string(),
    projectId: z.optional(z.string()),
  }),
);

// ---- system
export const bootstrapResult = lazy(() =>
  z.object({
    tenantId: z.string(),
    modes: z.array(z.string()),
    created: z.array(z.string()),
  }),
);

export const pages = {
  modes: lazy(() => pageOf(mode())),
  projects: lazy(() => pageOf(project())),
  members: lazy(() => pageOf(member())),
  apiKeys: lazy(() => pageOf(apiKey())),
  audit: lazy(() => pageOf(auditRecord())),
};

// ---- feature flags
const flagKey = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,40}\.[a-z][a-z0-9-]{0,60}$/, 'is not a flag key'));
export const flagParams = lazy(() => z.strictObject({ flag: flagKey }));
export const flagOverrideParams = lazy(() => z.strictObject({ tenantId, flag: flagKey }));
const flagRule = z.strictObject({
  envs: z.optional(z.array(env).check(z.minLength(1), z.maxLength(3))),
  projects: z.optional(z.array(projectId).check(z.minLength(1), z.maxLength(50))),
  tiers: z.optional(z.array(tier).check(z.minLength(1), z.maxLength(4))),
  enabled: z.boolean(),
});
export const flagSettingBody = lazy(() =>
  z.strictObject({
    enabled: z.boolean(),
    /** the first rule whose conditions all hold decides; none holding: `enabled` */
    rules: z._default(z.array(flagRule).check(z.maxLength(20)), []),
  }),
);
const flagSetting = z.object({
  key: z.string(),
  scope: z.string(),
  enabled: z.boolean(),
  rules: z.array(
    z.object({
      envs: z.optional(z.array(z.string())),
      projects: z.optional(z.array(z.string())),
      tiers: z.optional(z.array(tier)),
      enabled: z.boolean(),
    }),
  ),
  version: integer,
  updatedAt: isoTime,
  updatedBy: z.string(),
});
export const flagSettingView = lazy(() => flagSetting);
export const flagList = lazy(() =>
  z.object({
    items: z.array(
      z.object({
        key: z.string(),
        summary: z.string(),
        default: z.boolean(),
        tenantOverridable: z.boolean(),
        global: z.nullable(flagSetting),
        override: z.nullable(flagSetting),
        /** the value for the caller's tenant, env, project and tier, and which layer decided */
        effective: z.object({
          enabled: z.boolean(),
          source: z.enum(['tenant-rule', 'tenant', 'global-rule', 'global', 'default']),
        }),
      }),
    ),
  }),
);
