import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, conflict, preconditionFailed } from '@ballast/platform/errors.js';
import { requireFreshLogin } from '@ballast/platform/http/middlewares/limits/index.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { leaveTenant } from '../control/index.js';
import { defaultPreferences, defaultTheme, defaultTradingPreferences } from './defaults.js';
import { ERASURE_STEPS, EXPORT_SECTIONS, profileSection } from './export.js';
import { newErasureId } from './ids.js';
import { currentOnboarding, missingForRealTrading, onboardingView, patchOnboarding } from './onboarding.js';
import type { ProfileHandler, ProfilePorts } from './ports.js';
import type { routes } from './routes.js';
import type { FavouriteKind } from './schemas.js';
import { type Favourite, MAX_FAVOURITES } from './store.js';

type R = typeof routes;

/**
 * How long one erasure request deletes other contexts' data before it answers 503 ERASURE_INCOMPLETE
 * (the route's Lambda has 29 s; what is left — the profile, the membership, the tombstone — is quick).
 */
const ERASURE_WORK_MS = 20_000;

/** What the helpers below need of a handler's context. */
interface Caller {
  ports: ProfilePorts;
  now: number;
  unitOfWork(): UnitOfWork;
}

const iso = (ms: number) => new Date(ms).toISOString();
const atVersion = (what: string, current: number, ifMatch: number) => {
  if (current !== ifMatch) throw preconditionFailed(`Your ${what} are at version ${current}`);
};
const personal = (h: { ports: ProfilePorts; now: number }) => ({
  profile: h.ports.profile,
  keys: h.ports.keys,
  subject: h.ports.subject,
  now: h.now,
});
const resource = (h: { ports: ProfilePorts }, what: string) => `user/${h.ports.subject.userId}/${what}`;

// --- preferences and theme --------------------------------------------------------------------

export const getPreferences: ProfileHandler<R['getPreferences']> = async (_input, h) => {
  const found = (await h.ports.profile.getPreferences()) ?? defaultPreferences();
  return { status: 200, body: found, headers: { ETag: etag(found.version) } };
};

export const putPreferences: ProfileHandler<R['putPreferences']> = async ({ body, ifMatch }, h) => {
  const before = (await h.ports.profile.getPreferences()) ?? defaultPreferences();
  atVersion('preferences', before.version, ifMatch);
  const after = { ...body, version: before.version + 1, updatedAt: iso(h.now) };
  const uow = h.unitOfWork();
  h.ports.profile.putPreferences(uow, after, before.version);
  uow.audit({ action: 'profile.preferences.update', resource: resource(h, 'preferences'), before, after });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const getTheme: ProfileHandler<R['getTheme']> = async (_input, h) => {
  const found = (await h.ports.profile.getTheme()) ?? defaultTheme();
  return { status: 200, body: found, headers: { ETag: etag(found.version) } };
};

export const putTheme: ProfileHandler<R['putTheme']> = async ({ body, ifMatch }, h) => {
  const before = (await h.ports.profile.getTheme()) ?? defaultTheme();
  atVersion('theme settings', before.version, ifMatch);
  const after = { ...body, version: before.version + 1, updatedAt: iso(h.now) };
  const uow = h.unitOfWork();
  h.ports.profile.putTheme(uow, after, before.version);
  uow.audit({ action: 'profile.theme.update', resource: resource(h, 'theme'), before, after });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

// --- favourites -------------------------------------------------------------------------------

export const listFavourites: ProfileHandler<R['listFavourites']> = async ({ query }, h) => {
  const page = await h.ports.profile.listFavourites(query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

/** Marks a favourite once: a second mark (or one racing it) answers the favourite already there. */
async function addFavourite(h: Caller, kind: FavouriteKind, name: string) {
  const { profile } = h.ports;
  const existing = await profile.getFavourite(kind, name);
  if (existing) return existing;
  if ((await profile.countFavourites(kind)) >= MAX_FAVOURITES) {
    throw new AppError(422, 'FAVOURITE_LIMIT', `You keep at most ${MAX_FAVOURITES} favourites of each kind`, {
      extra: { limit: MAX_FAVOURITES },
    });
  }
  const favourite: Favourite = { kind, name, addedAt: iso(h.now) };
  const uow = h.unitOfWork();
  profile.addFavourite(uow, favourite);
  uow.audit({ action: 'profile.favourite.add', resource: resource(h, `favourites/${kind}/${name}`), after: favourite });
  try {
    await uow.commit();
  } catch (e) {
    const raced = e instanceof AppError && e.code === 'FAVOURITE_EXISTS' && (await profile.getFavourite(kind, name));
    if (raced) return raced;
    throw e;
  }
  return favourite;
}
async function removeFavourite(h: Caller, kind: FavouriteKind, name: string) {
  const uow = h.unitOfWork();
  h.ports.profile.removeFavourite(uow, kind, name);
  uow.audit({ action: 'profile.favourite.remove', resource: resource(h, `favourites/${kind}/${name}`), after: null });
  await uow.commit();
}

export const putStrategyFavourite: ProfileHandler<R['putStrategyFavourite']> = async ({ params }, h) => ({
  status: 200,
  body: await addFavourite(h, 'strategy', params.strategy),
});

export const deleteStrategyFavourite: ProfileHandler<R['deleteStrategyFavourite']> = async ({ params }, h) => {
  await removeFavourite(h, 'strategy', params.strategy);
  return { status: 204 };
};

export const putSymbolFavourite: ProfileHandler<R['putSymbolFavourite']> = async ({ params }, h) => ({
  status: 200,
  body: await addFavourite(h, 'symbol', params.symbol),
});

export const deleteSymbolFavourite: ProfileHandler<R['deleteSymbolFavourite']> = async ({ params }, h) => {
  await removeFavourite(h, 'symbol', params.symbol);
  return { status: 204 };
};

// --- onboarding -------------------------------------------------------------------------------

export const getOnboarding: ProfileHandler<R['getOnboarding']> = async ({ query }, h) => {
  const reveal = query.reveal === 'taxId';
  // the tax id in clear is a dangerous read: a fresh login (RFC 9470 step-up), as dangerous writes
  if (reveal) requireFreshLogin(h.ctx.principal, h.now);
  const stored = await currentOnboarding(h.ports.profile);
  const view = await onboardingView(personal(h), stored, reveal);
  return { status: 200, body: view, headers: { ETag: etag(view.version) } };
};

export const patchOnboardingRoute: ProfileHandler<R['patchOnboarding']> = async ({ body, ifMatch }, h) => {
  const before = await currentOnboarding(h.ports.profile);
  atVersion('onboarding answers', before.version, ifMatch);
  const after = await patchOnboarding({ ...personal(h), unitOfWork: h.unitOfWork }, before, body);
  const view = await onboardingView(personal(h), after, false);
  return { status: 200, body: view, headers: { ETag: etag(view.version) } };
};

// --- trading preferences ----------------------------------------------------------------------

export const getTradingPreferences: ProfileHandler<R['getTradingPreferences']> = async (_input, h) => {
  const found = (await h.ports.profile.getTradingPreferences()) ?? defaultTradingPreferences();
  return { status: 200, body: found, headers: { ETag: etag(found.version) } };
};

export const putTradingPreferences: ProfileHandler<R['putTradingPreferences']> = async ({ body, ifMatch }, h) => {
  const before = (await h.ports.profile.getTradingPreferences()) ?? defaultTradingPreferences();
  atVersion('trading preferences', before.version, ifMatch);
  if (body.realTradingEnabled) {
    const missing = await missingForRealTrading(h.ports.profile);
    if (missing.length) {
      throw new AppError(
        422,
        'ONBOARDING_INCOMPLETE',
        `Real trading needs onboarding complete with the current terms; missing: ${missing.join(', ')}`,
        {
          extra: { missingSteps: missing },
          errors: [{ path: 'body.realTradingEnabled', message: `needs the onboarding steps ${missing.join(', ')}` }],
        },
      );
    }
  }
  const after = { ...body, version: before.version + 1, updatedAt: iso(h.now) };
  const uow = h.unitOfWork();
  h.ports.profile.putTradingPreferences(uow, after, before.version);
  uow.audit({
    action: 'profile.tradingPreferences.update',
    resource: resource(h, 'trading-preferences'),
    before,
    after,
  });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

// --- export and erasure -----------------------------------------------------------------------

export const exportMe: ProfileHandler<R['exportMe']> = async (_input, h) => {
  const { subject, backend } = h.ports;
  const sections: Record<string, unknown> = { profile: await profileSection(personal(h)) };
  for (const section of EXPORT_SECTIONS) sections[section.name] = await section.collect(backend, subject);
  return {
    status: 200,
    body: { exportedAt: iso(h.now), tenantId: subject.tenantId, userId: subject.userId, sections },
  };
};

/**
 * Crypto-shredding: the last admin is refused before anything changes; then what other contexts
 * hold is erased (ERASURE_STEPS, each idempotent and bounded a request: past its budget the answer
 * is 503 ERASURE_INCOMPLETE, and the same request again continues); then the membership's removal
 * is prepared (the API keys the user made are revoked), the profile's documents are deleted, and
 * the data key's destruction, the membership's removal and the tombstone commit together. Whatever
 * copies of the sealed fields remain (a backup, a restored item) can never be opened again: the
 * key that sealed them is gone.
 */
export const eraseMe: ProfileHandler<R['eraseMe']> = async (_input, h) => {
  const { profile, subject, tenancy } = h.ports;
  // said before anything changes (leaveTenant says it again, guarded in the final transaction)
  const member = await tenancy.getMember(subject.tenantId, subject.userId);
  if (member?.roles.includes('admin') && !(await tenancy.findOtherAdmin(subject.tenantId, subject.userId))) {
    throw conflict(
      'LAST_ADMIN',
      `${subject.userId} is the last admin of ${subject.tenantId}: make another member admin first`,
    );
  }
  // the other contexts' data first, a bounded amount a request, written outside the request's guarded
  // commits (deletes, harmless to repeat): a retry with the same Idempotency-Key meets no marker of
  // an earlier attempt, and the membership it needs stays until everything else is gone
  const budget = { until: h.now + ERASURE_WORK_MS, now: () => h.ports.backend.platform.now() };
  const erased: Record<string, Record<string, number>> = {};
  for (const step of ERASURE_STEPS) {
    const outcome = await step.erase(h.ports.backend, subject, budget);
    erased[step.name] = outcome.erased;
    if (!outcome.done) {
      throw new AppError(
        503,
        'ERASURE_INCOMPLETE',
        `Part of your ${step.name} is erased and the rest needs another request: retry with the same ` +
          'Idempotency-Key to continue',
        { headers: { 'Retry-After': '1' }, extra: { erased } },
      );
    }
  }
  const uow = h.unitOfWork();
  const membershipRemoved = await leaveTenant({ tenancy, unitOfWork: h.unitOfWork, now: h.now }, uow, {
    ...subject,
    reason: `its creator ${subject.userId} erased their profile`,
  });
  const key = await profile.getDataKey();
  const documentsDeleted = await profile.deleteDocuments();
  if (key) profile.destroyDataKey(uow);
  const receipt = {
    erasureId: newErasureId(h.now),
    erasedAt: iso(h.now),
    dataKeyDestroyed: Boolean(key),
    documentsDeleted,
    membershipRemoved,
    erased,
  };
  // the tombstone: that an erasure happened and what it did, nothing of what was erased
  uow.audit({ action: 'profile.erase', resource: `user/${subject.userId}`, before: null, after: receipt });
  await uow.commit();
  return { status: 200, body: receipt };
};
