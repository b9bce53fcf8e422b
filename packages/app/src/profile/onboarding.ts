import {
  createDataKey,
  type DataKey,
  type EncryptionContext,
  type KeyWrapper,
  openDataKey,
  type StoredDataKey,
  sealedKeyId,
  UnreadableFieldError,
} from '@ballast/platform/crypto/envelope.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest } from '@ballast/platform/errors.js';
import { CURRENT_PRIVACY_VERSION, CURRENT_TERMS_VERSION, defaultOnboarding } from './defaults.js';
import type { ProfileSubject } from './ports.js';
import { ONBOARDING_STEPS, type OnboardingPatch, type OnboardingStep } from './schemas.js';
import { type Onboarding, PERSONAL_FIELDS, type PersonalField, type ProfileStore } from './store.js';

/** What reading and writing personal fields needs: the store, the tenant's key wrapper, who, when. */
export interface PersonalDeps {
  profile: ProfileStore;
  keys(): Promise<KeyWrapper>;
  subject: ProfileSubject;
  now: number;
}

/** The encryption context of a user's data key and fields: tenant and user (each field adds its name). */
const contextOf = (s: ProfileSubject): EncryptionContext => ({ tenant: s.tenantId, user: s.userId });

export async function currentOnboarding(profile: ProfileStore): Promise<Onboarding> {
  return (await profile.getOnboarding()) ?? defaultOnboarding();
}

/** The personal fields that can still be opened: sealed by the data key that exists now. */
export function readableFields(o: Onboarding, key: Pick<StoredDataKey, 'keyId'> | undefined): Set<PersonalField> {
  const out = new Set<PersonalField>();
  for (const field of PERSONAL_FIELDS) {
    const sealed = o.sealed[field];
    if (sealed && key && sealedKeyId(sealed) === key.keyId) out.add(field);
  }
  return out;
}

/** The steps done, in order: answers given, personal fields readable, the current terms accepted. */
export function stepsDone(o: Onboarding, readable: ReadonlySet<PersonalField>): OnboardingStep[] {
  const done: Record<OnboardingStep, boolean> = {
    profile: readable.has('fullName'),
    experience: Boolean(o.experience && o.riskTolerance && o.investmentHorizon),
    personal: readable.has('dateOfBirth') && readable.has('phone'),
    tax: Boolean(o.taxResidency) && readable.has('taxId'),
    legal: o.terms?.version === CURRENT_TERMS_VERSION && o.privacy?.version === CURRENT_PRIVACY_VERSION,
  };
  return ONBOARDING_STEPS.filter((step) => done[step]);
}

/** `•••••6789`: the last four characters of a tax id, never more (nothing of a short one). */
export function maskTaxId(taxId: string): string {
  return `•••••${taxId.length > 4 ? taxId.slice(-4) : ''}`;
}

/**
 * One personal field opened, or undefined: absent, sealed by a key that was destroyed (an erased
 * user), or unreadable. Only that field is opened (the notifications read the phone this way).
 */
export async function openPersonalField(
  d: Pick<PersonalDeps, 'profile' | 'keys' | 'subject'>,
  field: PersonalField,
): Promise<string | undefined> {
  const o = await d.profile.getOnboarding();
  if (!o) return undefined;
  return (await openPersonal(d, o, [field])).values[field] ?? undefined;
}

/** The personal fields opened (null where absent or unreadable), and whether any was unreadable. */
async function openPersonal(
  d: Pick<PersonalDeps, 'profile' | 'keys' | 'subject'>,
  o: Onboarding,
  fields: readonly PersonalField[] = PERSONAL_FIELDS,
) {
  const values: Record<PersonalField, string | null> = { fullName: null, dateOfBirth: null, phone: null, taxId: null };
  const present = fields.filter((f) => o.sealed[f]);
  if (present.length === 0) return { values, erased: false };
  const stored = await d.profile.getDataKey();
  const readable = [...readableFields(o, stored)].filter((f) => fields.includes(f));
  let erased = readable.length < present.length;
  if (stored && readable.length) {
    const key = await openDataKey(await d.keys(), stored, contextOf(d.subject));
    for (const field of readable) {
      try {
        values[field] = key.open(field, o.sealed[field] ?? '');
      } catch (e) {
        if (!(e instanceof UnreadableFieldError)) throw e;
        erased = true;
      }
    }
  }
  return { values, erased };
}

/** Onboarding as shown: progress, answers, personal fields (the tax id masked unless `reveal`). */
export async function onboardingView(d: PersonalDeps, o: Onboarding, reveal: boolean) {
  const { values, erased } = await openPersonal(d, o);
  const readable = new Set(PERSONAL_FIELDS.filter((f) => values[f] !== null));
  const completedSteps = stepsDone(o, readable);
  const currentStep = ONBOARDING_STEPS.find((s) => !completedSteps.includes(s)) ?? null;
  return {
    steps: [...ONBOARDING_STEPS],
    currentStep,
    completedSteps,
    complete: currentStep === null,
    experience: o.experience,
    riskTolerance: o.riskTolerance,
    investmentHorizon: o.investmentHorizon,
    fullName: values.fullName,
    dateOfBirth: values.dateOfBirth,
    phone: values.phone,
    taxResidency: o.taxResidency,
    taxId: values.taxId === null ? null : reveal ? values.taxId : maskTaxId(values.taxId),
    taxIdMasked: values.taxId !== null && !reveal,
    terms: o.terms,
    privacy: o.privacy,
    currentVersions: { terms: CURRENT_TERMS_VERSION, privacy: CURRENT_PRIVACY_VERSION },
    personalDataErased: erased,
    version: o.version,
    updatedAt: o.updatedAt,
  };
}
export type OnboardingView = Awaited<ReturnType<typeof onboardingView>>;

/** Whether what onboarding records now lets a user trade for real: which steps are missing if not. */
export async function missingForRealTrading(profile: ProfileStore): Promise<OnboardingStep[]> {
  const o = await currentOnboarding(profile);
  const done = stepsDone(o, readableFields(o, await profile.getDataKey()));
  return ONBOARDING_STEPS.filter((s) => !done.includes(s));
}

const YEAR_MS = 365.2425 * 86_400_000;

/** A date of birth makes an adult of 18 to 120 (400 naming the field otherwise). */
function checkDateOfBirth(dateOfBirth: string, nowMs: number): void {
  const age = (nowMs - Date.parse(`${dateOfBirth}T00:00:00Z`)) / YEAR_MS;
  if (age < 18 || age > 120) {
    throw badRequest('VALIDATION_FAILED', 'The request has invalid fields', [
      { path: 'body.dateOfBirth', message: 'must make an adult (18 to 120 years old)' },
    ]);
  }
}

function checkAcceptance(which: 'acceptTerms' | 'acceptPrivacy', version: string, current: string): void {
  if (version !== current) {
    throw new AppError(422, 'ACCEPTANCE_VERSION_NOT_CURRENT', `Only the current version (${current}) can be accepted`, {
      extra: { current },
      errors: [{ path: `body.${which}.version`, message: `must be the current version ${current}` }],
    });
  }
}

/** The user's data key, opened; made (and staged into `uow`) when the user has none. */
async function dataKeyFor(d: PersonalDeps, uow: UnitOfWork): Promise<DataKey> {
  const wrapper = await d.keys();
  const stored = await d.profile.getDataKey();
  if (stored) return openDataKey(wrapper, stored, contextOf(d.subject));
  const made = await createDataKey(wrapper, contextOf(d.subject), d.now);
  d.profile.createDataKey(uow, made.stored);
  return made.key;
}

/**
 * Applies a change to onboarding at `before.version`: answers set or cleared, personal fields
 * sealed with the user's data key before they are staged (never written, logged or audited in
 * plaintext), acceptances stamped with the server's time. Fields a destroyed key sealed are
 * dropped: nothing can open them. The audit names the fields changed, never their values.
 */
export async function patchOnboarding(
  d: PersonalDeps & { unitOfWork(): UnitOfWork },
  before: Onboarding,
  patch: OnboardingPatch,
): Promise<Onboarding> {
  if (patch.dateOfBirth) checkDateOfBirth(patch.dateOfBirth, d.now);
  if (patch.acceptTerms) checkAcceptance('acceptTerms', patch.acceptTerms.version, CURRENT_TERMS_VERSION);
  if (patch.acceptPrivacy) checkAcceptance('acceptPrivacy', patch.acceptPrivacy.version, CURRENT_PRIVACY_VERSION);
  const at = new Date(d.now).toISOString();
  const uow = d.unitOfWork();
  const storedKey = await d.profile.getDataKey();
  const kept = readableFields(before, storedKey);
  const sealed: Partial<Record<PersonalField, string>> = {};
  for (const field of kept) sealed[field] = before.sealed[field];
  const sealing = PERSONAL_FIELDS.filter((f) => typeof patch[f] === 'string');
  if (sealing.length) {
    const key = await dataKeyFor(d, uow);
    for (const field of sealing) {
      const value = patch[field];
      if (typeof value === 'string') sealed[field] = key.seal(field, value);
    }
  }
  for (const field of PERSONAL_FIELDS) if (patch[field] === null) delete sealed[field];
  const pick = <T>(next: T | null | undefined, old: T | null): T | null => (next === undefined ? old : next);
  const after: Onboarding = {
    experience: pick(patch.experience, before.experience),
    riskTolerance: pick(patch.riskTolerance, before.riskTolerance),
    investmentHorizon: pick(patch.investmentHorizon, before.investmentHorizon),
    taxResidency: pick(patch.taxResidency, before.taxResidency),
    sealed,
    terms: patch.acceptTerms ? { version: patch.acceptTerms.version, acceptedAt: at } : before.terms,
    privacy: patch.acceptPrivacy ? { version: patch.acceptPrivacy.version, acceptedAt: at } : before.privacy,
    completedSteps: [],
    version: before.version + 1,
    updatedAt: at,
  };
  after.completedSteps = stepsDone(after, new Set(PERSONAL_FIELDS.filter((f) => sealed[f])));
  d.profile.putOnboarding(uow, after, before.version);
  uow.audit({
    action: 'profile.onboarding.update',
    resource: `user/${d.subject.userId}/onboarding`,
    before: { version: before.version, completedSteps: before.completedSteps },
    after: {
      version: after.version,
      completedSteps: after.completedSteps,
      changed: Object.keys(patch).sort(),
    },
  });
  await uow.commit();
  return after;
}
