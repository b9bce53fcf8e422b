import type { MiddlewareObj } from '@middy/core';
import * as z from 'zod/mini';
import { TIERS, type Tier, tierRank } from '../../../context/types.js';
import { AppError, forbidden } from '../../../errors.js';
import type { Platform } from '../../../platform.js';
import { type BallastContext, type LambdaEvent, type LambdaResult, stateOf } from '../../pipeline.js';
import { rateWindow } from './window.js';

export { rateWindow } from './window.js';

/** Per-minute limits per tier; the seeded configuration data (SPEC §1). */
export const DEFAULT_RATE_LIMITS = { observer: 30, navigator: 60, operator: 120, sovereign: 240, default: 60 } as const;
const perMinute = z.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gt(0));
export const rateLimitsSchema = z.strictObject({
  observer: perMinute,
  navigator: perMinute,
  operator: perMinute,
  sovereign: perMinute,
  default: perMinute,
});
export type RateLimits = z.infer<typeof rateLimitsSchema>;
export const RATE_LIMITS_CONFIG = 'RATE_LIMITS';

/** Limits are read at most this often per process; a change applies everywhere within it. */
const LIMITS_CACHE_MS = 5000;
let cached: { at: number; limits: RateLimits } | undefined;

/** Limits live in the control table (config data), cached a few seconds per process. */
async function limitsFor(p: Platform): Promise<RateLimits> {
  const at = p.now();
  if (cached && at - cached.at >= 0 && at - cached.at < LIMITS_CACHE_MS) return cached.limits;
  const parsed = rateLimitsSchema.safeParse(await p.tenancy.getConfig(RATE_LIMITS_CONFIG));
  // A missing or corrupt config falls back to the contract's numbers, never to "unlimited".
  const limits = parsed.success ? parsed.data : { ...DEFAULT_RATE_LIMITS };
  cached = { at, limits };
  return limits;
}

/** The limit a caller of `tier` has on a route with `writeLimitFactor`. */
export function limitFor(limits: RateLimits, tier: string, writeLimitFactor = 1): number {
  const tierLimit = (TIERS as readonly string[]).includes(tier) ? limits[tier as Tier] : limits.default;
  return Math.max(1, Math.floor(tierLimit * writeLimitFactor));
}

/** Tier and role gate, then the per-(tenant, principal) per-minute counter. */
export function tierAndRateLimit(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const ctx = state.ctx;
      if (!ctx) return;
      const route = state.route;
      const p = state.platform;
      // The request was counted when its context was read: its headers go on every answer, a
      // tier or role refusal included.
      const limit = limitFor(await limitsFor(p), ctx.tier, route.writeLimitFactor);
      const { window, reset, expires } = rateWindow(state.startedAt);
      const count = await (state.rateCount ?? p.rateCounters.hit(ctx.tenantId, ctx.principal.id, window, expires));
      state.rateHeaders = {
        'RateLimit-Limit': String(limit),
        'RateLimit-Remaining': String(Math.max(0, limit - count)),
        'RateLimit-Reset': String(reset),
      };
      const overridden = route.systemAdminOverride && ctx.systemAdmin;
      if (!overridden) {
        if (tierRank(ctx.tier) < tierRank(route.minTier)) {
          throw forbidden('TIER_TOO_LOW', `This route needs tier ${route.minTier} or above; yours is ${ctx.tier}`);
        }
        if (route.roles.length && !route.roles.some((role) => ctx.roles.includes(role))) {
          throw forbidden('ROLE_REQUIRED', `This route needs one of the roles: ${route.roles.join(', ')}`);
        }
      }
      if (count > limit) {
        throw new AppError(429, 'RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded`, {
          headers: { 'Retry-After': String(reset) },
        });
      }
    },
  };
}
