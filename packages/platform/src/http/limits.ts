import type { MiddlewareObj } from '@middy/core';
import * as z from 'zod/mini';
import { TIERS, tierRank, type Tier } from '../context/types.js';
import { AppError, forbidden } from '../errors.js';
import type { Platform } from '../platform.js';
import { stateOf } from './responder.js';
import type { BallastContext, LambdaEvent, LambdaResult } from './types.js';

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

let cached: { at: number; limits: RateLimits } | undefined;

/** Limits live in the control table (config data), cached a few seconds per process. */
async function limitsFor(p: Platform): Promise<RateLimits> {
  const t = p.now();
  if (cached && t - cached.at < 5000) return cached.limits;
  const raw = await p.control.getConfig<unknown>(RATE_LIMITS_CONFIG);
  const parsed = rateLimitsSchema.safeParse(raw);
  // A missing or corrupt config falls back to the contract's numbers, never to "unlimited".
  const limits = parsed.success ? parsed.data : { ...DEFAULT_RATE_LIMITS };
  cached = { at: t, limits };
  return limits;
}

/** The fixed one-minute window a request falls in, and when its counter may expire (epoch s). */
export function rateWindow(startedAtMs: number): { window: number; reset: number; expires: number } {
  const nowSec = Math.floor(startedAtMs / 1000);
  const window = Math.floor(nowSec / 60);
  return { window, reset: (window + 1) * 60 - nowSec, expires: (window + 2) * 60 };
}

/** Tier and role gate, then the per-(tenant, principal) per-minute counter in DynamoDB. */
export function tierAndRateLimit(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const s = stateOf(request);
      const ctx = s.ctx;
      if (!ctx) return;
      const route = s.route;
      const overridden = route.systemAdminOverride && ctx.systemAdmin;
      if (!overridden) {
        if (tierRank(ctx.tier) < tierRank(route.minTier)) {
          throw forbidden('TIER_TOO_LOW', `This route needs tier ${route.minTier} or above; yours is ${ctx.tier}`);
        }
        if (route.roles.length && !route.roles.some((r) => ctx.roles.includes(r))) {
          throw forbidden('ROLE_REQUIRED', `This route needs one of the roles: ${route.roles.join(', ')}`);
        }
      }
      const p = s.platform;
      const limits = await limitsFor(p);
      const tierLimit = (TIERS as readonly string[]).includes(ctx.tier) ? limits[ctx.tier as Tier] : limits.default;
      const limit = Math.max(1, Math.floor(tierLimit * (route.writeLimitFactor ?? 1)));
      const { window, reset, expires } = rateWindow(s.startedAt);
      const count = await (s.rateCount ?? p.control.hit(ctx.tenantId, ctx.principal.id, window, expires));
      s.rateHeaders = {
        'RateLimit-Limit': String(limit),
        'RateLimit-Remaining': String(Math.max(0, limit - count)),
        'RateLimit-Reset': String(reset),
      };
      if (count > limit) {
        throw new AppError(429, 'RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded`, {
          headers: { 'Retry-After': String(reset) },
        });
      }
    },
  };
}
