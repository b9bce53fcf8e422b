import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { conflict } from '@ballast/platform/errors.js';
import type { TenancyStores } from '@ballast/platform/tenancy/store.js';

/** Keys revoked in one commit when a member leaves; the last batch rides with the removal itself. */
const KEYS_PER_COMMIT = 25;

/** What a member leaving needs: the tenancy records, units of work (audited as the caller), the clock. */
export interface LeaveDeps {
  tenancy: Pick<
    TenancyStores,
    'getMember' | 'findOtherAdmin' | 'requireAdmin' | 'deleteMember' | 'activeKeysCreatedBy' | 'revokeApiKey'
  >;
  unitOfWork(): UnitOfWork;
  now: number;
}

/**
 * A user leaves a tenant of their own accord (the profile's erasure): the membership is removed in
 * `uow` (the caller commits it with its own writes), every API key the user made in the tenant is
 * revoked (earlier batches commit first: the safe side), and the last admin may not leave (409
 * LAST_ADMIN, said before anything is changed). Answers false when there was no membership.
 */
export async function leaveTenant(
  d: LeaveDeps,
  uow: UnitOfWork,
  who: { tenantId: string; userId: string; reason: string },
): Promise<boolean> {
  const { tenantId, userId } = who;
  const member = await d.tenancy.getMember(tenantId, userId);
  if (!member) return false;
  if (member.roles.includes('admin')) {
    const other = await d.tenancy.findOtherAdmin(tenantId, userId);
    if (!other) {
      throw conflict('LAST_ADMIN', `${userId} is the last admin of ${tenantId}: make another member admin first`);
    }
    d.tenancy.requireAdmin(uow, tenantId, other);
  }
  const keys = await d.tenancy.activeKeysCreatedBy(tenantId, userId);
  const at = new Date(d.now).toISOString();
  const revoke = (into: UnitOfWork, keyId: string, version: number) => {
    d.tenancy.revokeApiKey(into, keyId, tenantId, at, version);
    into.audit({
      action: 'apiKey.revoke',
      resource: `apiKey/${keyId}`,
      before: { revokedAt: null },
      after: { revokedAt: at, reason: who.reason },
      tenantId,
    });
  };
  const last = keys.splice(Math.max(0, keys.length - KEYS_PER_COMMIT));
  for (let i = 0; i < keys.length; i += KEYS_PER_COMMIT) {
    const own = d.unitOfWork();
    for (const key of keys.slice(i, i + KEYS_PER_COMMIT)) revoke(own, key.keyId, key.version);
    await own.commit();
  }
  for (const key of last) revoke(uow, key.keyId, key.version);
  d.tenancy.deleteMember(uow, member);
  const { keysCreated: _keys, ...view } = member;
  uow.audit({ action: 'member.remove', resource: `member/${userId}`, before: view, after: null, tenantId });
  return true;
}
