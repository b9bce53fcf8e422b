import type { MiddlewareObj } from '@middy/core';
import * as z from 'zod/mini';
import { BoundedCache, CACHE_LIMITS } from '../../../config/caches.js';
import { type Principal, principalKey, TIERS, type Tier, tierRank } from '../../../context/types.js';
import { AppError, forbidden } from '../../../errors.js';
import type { Platform } from '../../../platform.js';
import {
  type BallastContext,
  type LambdaEvent,
  type LambdaResult,
  type PipelineState,
  stateOf,
} from '../../pipeline.js';
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

/**
 * Limits live in the control table (config data), cached a few seconds per platform (one entry,
 * bounded like every cache); a change applies everywhere within that time.
 */
const limitsCaches = new WeakMap<Platform, BoundedCache<'limits', RateLimits>>();

async function limitsFor(p: Platform): Promise<RateLimits> {
  let cache = limitsCaches.get(p);
  if (!cache) {
    cache = new BoundedCache(CACHE_LIMITS.rateLimits, p.now);
    limitsCaches.set(p, cache);
  }
  const hit = cache.get('limits');
  if (hit) return hit;
  const parsed = rateLimitsSchema.safeParse(await p.tenancy.getConfig(RATE_LIMITS_CONFIG));
  // A missing or corrupt config falls back to the contract's numbers, never to "unlimited".
  const limits = parsed.success ? parsed.data : { ...DEFAULT_RATE_LIMITS };
  cache.set('limits', limits);
  return limits;
}

/** The limit a caller of `tier` has on a route with `writeLimitFactor`. */
export function limitFor(limits: RateLimits, tier: string, writeLimitFactor = 1): number {
  const tierLimit = (TIERS as readonly string[]).includes(tier) ? limits[tier as Tier] : limits.default;
  return Math.max(1, Math.floor(tierLimit * writeLimitFactor));
}

/**
 * Counts this request against its principal's budget (the count the context middleware started,
 * or a new one) and puts the RateLimit-* headers on whatever the answer will be. `tier` is the
 * caller's, or undefined when it is not known (a refusal before membership was read: the
 * `default` limit applies). Answers whether the budget is spent, and the seconds to its reset.
 */
export async function countRequest(
  state: PipelineState,
  tier: string | undefined,
  counted: { tenantId: string; principalKey: string },
): Promise<{ over: boolean; limit: number; reset: number }> {
  const p = state.platform;
  const limit = limitFor(await limitsFor(p), tier ?? 'default', state.route.writeLimitFactor);
  const { window, reset, expires } = rateWindow(state.startedAt);
  state.rateCount ??= p.rateCounters.hit(counted.tenantId, counted.principalKey, window, expires);
  const count = await state.rateCount;
  state.rateHeaders = {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(Math.max(0, limit - count)),
    'RateLimit-Reset': String(reset),
  };
  return { over: count > limit, limit, reset };
}

export function rateLimited(limit: number, reset: number): AppError {
  return new AppError(429, 'RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded`, {
    headers: { 'Retry-After': String(reset) },
  });
}

/** How recent a login a `freshLogin` route needs (RFC 9470 max_age), in seconds. */
export const FRESH_LOGIN_MAX_AGE_SECONDS = 300;

/**
 * A `freshLogin` route (a dangerous action): a bearer token whose `auth_time` is absent or older
 * than 5 minutes on the platform clock → 401 with the RFC 9470 step-up challenge; an API key → 403
 * (it has no login to refresh).
 */
export function requireFreshLogin(principal: Principal, nowMs: number): void {
  if (principal.kind !== 'user') {
    throw forbidden(
      'INTERACTIVE_LOGIN_REQUIRED',
      'This action needs a recent interactive login; API keys cannot do it',
    );
  }
  const age = principal.authTime === undefined ? undefined : Math.floor(nowMs / 1000) - principal.authTime;
  if (age !== undefined && age <= FRESH_LOGIN_MAX_AGE_SECONDS) return;
  throw new AppError(
    401,
    'FRESH_LOGIN_REQUIRED',
    `This action needs a login within the last ${FRESH_LOGIN_MAX_AGE_SECONDS / 60} minutes; sign in again`,
    {
      headers: {
        'WWW-Authenticate': `Bearer error="insufficient_user_authentication", max_age=${FRESH_LOGIN_MAX_AGE_SECONDS}`,
      },
    },
  );
}

/**
 * Tier and role gate, the per-(tenant, principal) per-minute counter, then the fresh-login
 * requirement of dangerous routes. The request was counted when its context was read: its
 * headers go on every answer, a tier or role refusal included.
 */
export function tierAndRateLimit(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const ctx = state.ctx;
      if (!ctx) return;
      const route = state.route;
      const { over, limit, reset } = await countRequest(state, ctx.tier, {
        tenantId: ctx.tenantId,
        principalKey: principalKey(ctx.principal),
      });
      const overridden = route.systemAdminOverride && ctx.systemAdmin;
      if (!overridden) {
        if (tierRank(ctx.tier) < tierRank(route.minTier)) {
          throw forbidden('TIER_TOO_LOW', `This route needs tier ${route.minTier} or above; yours is ${ctx.tier}`);
        }
        if (route.roles.length && !route.roles.some((role) => ctx.roles.includes(role))) {
          throw forbidden('ROLE_REQUIRED', `This route needs one of the roles: ${route.roles.join(', ')}`);
        }
      }
      if (over) throw rateLimited(limit, reset);
      if (route.freshLogin) requireFreshLogin(ctx.principal, state.startedAt);
    },
  };
}
