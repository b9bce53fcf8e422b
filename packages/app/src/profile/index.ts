import type { Backend } from '@ballast/platform/http/handler.js';
import { defaultPreferences } from './defaults.js';
import { openPersonalField } from './onboarding.js';
import { type KeyWrapperFor, profileStoreOf } from './ports.js';
import { CHANNELS, type Channel, type NotificationKind } from './schemas.js';

export { routes as profileRoutes } from './routes.js';
export { profilePorts, secretStoreKeys, fieldKeyRef, secretStoreWrapper, type KeyWrapperFor } from './ports.js';
export { ERASURE_STEPS, EXPORT_SECTIONS, type ErasureStep, type ExportSection } from './export.js';
export { CURRENT_PRIVACY_VERSION, CURRENT_TERMS_VERSION } from './defaults.js';
export { NOTIFICATION_KINDS, type Channel, type NotificationKind } from './schemas.js';

/**
 * The channels a user wants to be told of `kind` through, in this tenant (the backend's verified
 * scope; it must have resolved the tenant's data table): their preferences, or the defaults
 * before they wrote any. Read by the notifications of other contexts (a job's backend will do).
 */
export async function notificationChannels(
  backend: Backend,
  userId: string,
  kind: NotificationKind,
): Promise<Channel[]> {
  if (!backend.scope) throw new Error('notification channels belong to a tenant');
  const store = profileStoreOf(backend, { tenantId: backend.scope.tenantId, userId });
  const wanted = ((await store.getPreferences()) ?? defaultPreferences()).notifications[kind];
  return CHANNELS.filter((channel) => wanted[channel]);
}

/**
 * The user's phone number (E.164) as onboarding holds it, opened with their data key (`keys`: the
 * tenant's key wrapper, as the function entry binds it); undefined when they gave none or were
 * erased (their data key is destroyed). Nothing is kept: each call reads and opens it afresh.
 */
export async function userPhone(backend: Backend, keys: KeyWrapperFor, userId: string): Promise<string | undefined> {
  if (!backend.scope) throw new Error('a phone number belongs to a tenant’s user');
  const subject = { tenantId: backend.scope.tenantId, userId };
  return openPersonalField({ profile: profileStoreOf(backend, subject), keys: () => keys(backend), subject }, 'phone');
}
