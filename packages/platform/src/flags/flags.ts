import type { Tier } from '../context/types.js';

/**
 * A feature flag as code declares it: its key, what it gates and its value when nobody has set
 * it. The platform names no flag; each context declares its own (the app's contexts gate their features).
 */
export interface FlagDefinition {
  /** `<context>.<feature>`, e.g. `ops.beta-page` */
  key: string;
  summary: string;
  /** the value before any setting exists */
  default: boolean;
  /** whether a tenant admin may override it for their tenant (else only a system admin may) */
  tenantOverridable: boolean;
}

/** What a rule of a setting matches; every condition it names must hold (none named: always). */
export interface FlagRule {
  envs?: string[];
  projects?: string[];
  tiers?: Tier[];
  enabled: boolean;
}

/** A stored value of a flag: the platform-wide default, or one tenant's override. */
export interface FlagSetting {
  key: string;
  /** `global`, or the tenant it overrides the flag for */
  scope: string;
  enabled: boolean;
  /** the first matching rule decides; none matching → `enabled` */
  rules: FlagRule[];
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** Who is asking: a request's verified context, or a job's envelope (which has no tier). */
export interface FlagContext {
  tenantId: string;
  env: string;
  projectId?: string;
  tier?: Tier;
}

export type FlagSource = 'tenant-rule' | 'tenant' | 'global-rule' | 'global' | 'default';

export interface FlagEvaluation {
  key: string;
  enabled: boolean;
  /** which layer decided */
  source: FlagSource;
}

function matches(rule: FlagRule, ctx: FlagContext): boolean {
  if (rule.envs && !rule.envs.includes(ctx.env)) return false;
  if (rule.projects && (ctx.projectId === undefined || !rule.projects.includes(ctx.projectId))) return false;
  if (rule.tiers && (ctx.tier === undefined || !rule.tiers.includes(ctx.tier))) return false;
  return true;
}

/**
 * The tenant's override decides if there is one (its first matching rule, else its value), then
 * the global setting the same way, then the definition's default. Pure: the evaluator feeds it
 * cached settings.
 */
export function evaluateFlag(
  def: FlagDefinition,
  global: FlagSetting | undefined,
  override: FlagSetting | undefined,
  ctx: FlagContext,
): FlagEvaluation {
  for (const [setting, layer] of [
    [override, 'tenant'],
    [global, 'global'],
  ] as const) {
    if (!setting) continue;
    const rule = setting.rules.find((r) => matches(r, ctx));
    if (rule) return { key: def.key, enabled: rule.enabled, source: `${layer}-rule` };
    return { key: def.key, enabled: setting.enabled, source: layer };
  }
  return { key: def.key, enabled: def.default, source: 'default' };
}
