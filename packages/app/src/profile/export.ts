import type { Backend } from '@ballast/platform/http/handler.js';
import { currentOnboarding, onboardingView, type PersonalDeps } from './onboarding.js';
import { defaultPreferences, defaultTheme, defaultTradingPreferences } from './defaults.js';
import type { Favourite } from './store.js';

/**
 * A part of a user's personal-data export that another context holds (its journal, its watchlists):
 * the context exports one from its index.ts and it is listed in EXPORT_SECTIONS below. `collect`
 * reads with the export request's backend (tenant-scoped client, the tenant's data table) and
 * answers JSON; it may not need more than the route declares (`uses`: data read, tenant secrets).
 */
export interface ExportSection {
  /** the section's key in `sections` (a context's name); `profile` is this context's own */
  readonly name: string;
  collect(backend: Backend, subject: { tenantId: string; userId: string }): Promise<unknown>;
}

/** The sections other contexts contribute to GET /v1/me/export, after `profile` (none yet). */
export const EXPORT_SECTIONS: readonly ExportSection[] = [];

/** Most favourites one export lists (the store keeps at most MAX_FAVOURITES of each kind). */
const EXPORT_FAVOURITES = 500;

/** This context's section: every document as stored (defaults where none), personal fields opened. */
export async function profileSection(d: PersonalDeps) {
  const { profile } = d;
  const [preferences, theme, tradingPreferences, onboarding, key] = await Promise.all([
    profile.getPreferences(),
    profile.getTheme(),
    profile.getTradingPreferences(),
    currentOnboarding(profile),
    profile.getDataKey(),
  ]);
  const favourites: Favourite[] = [];
  let cursor: string | undefined;
  do {
    const page = await profile.listFavourites({ limit: 200, ...(cursor ? { cursor } : {}) });
    favourites.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && favourites.length < EXPORT_FAVOURITES);
  return {
    preferences: preferences ?? defaultPreferences(),
    theme: theme ?? defaultTheme(),
    tradingPreferences: tradingPreferences ?? defaultTradingPreferences(),
    onboarding: await onboardingView(d, onboarding, true),
    favourites,
    dataKey: key ? { keyId: key.keyId, createdAt: key.createdAt } : null,
  };
}
