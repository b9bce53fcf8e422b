import { describe, expect, it } from 'vitest';
import { refuseEscalation, within } from './service.js';

const refusal = (f: () => void) => {
  try {
    f();
    return 'granted';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('control rules: no escalation', () => {
  const navigatorTrader = { tier: 'navigator', roles: ['trader'] } as const;

  it('a grant above the tenant ceiling, the grantor’s tier or its highest role is refused, each with its code', () => {
    expect(refusal(() => refuseEscalation(navigatorTrader, { tier: 'operator', roles: ['viewer'] }, 'operator'))).toBe(
      'TIER_ABOVE_OWN',
    );
    expect(refusal(() => refuseEscalation(navigatorTrader, { tier: 'navigator', roles: ['admin'] }, 'sovereign'))).toBe(
      'ROLE_ABOVE_OWN',
    );
    expect(refusal(() => refuseEscalation(navigatorTrader, { tier: 'navigator', roles: ['viewer'] }, 'observer'))).toBe(
      'TIER_ABOVE_CEILING',
    );
    expect(
      refusal(() => refuseEscalation(navigatorTrader, { tier: 'navigator', roles: ['trader', 'viewer'] }, 'navigator')),
    ).toBe('granted');
  });

  it('roles rank viewer < trader < admin: an admin grants trader, a viewer grants nothing above viewer', () => {
    expect(within({ tier: 'observer', roles: ['trader'] }, { tier: 'observer', roles: ['admin'] })).toBe(true);
    expect(within({ tier: 'observer', roles: ['trader'] }, { tier: 'observer', roles: ['viewer'] })).toBe(false);
    expect(within({ tier: 'sovereign', roles: ['viewer'] }, { tier: 'operator', roles: ['admin'] })).toBe(false);
    expect(within({ tier: 'operator', roles: [] }, { tier: 'operator', roles: ['viewer'] })).toBe(true);
  });
});
