import type { Backend } from '@ballast/platform/http/handler.js';
import { currentOnboarding, onboardingView, type PersonalDeps } from './onboarding.js';
import { defaultPreferences, defaultTheme, defaultTradingPreferences } from './defaults.js';
import type { Favourite } from './store.js';
import { journalErasureStep, journalExportSection } from '../trading/index.js';
import { watchlistsErasureStep, watchlistsExportSection } from '../watchlists/index.js';

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

/**
 * What another context erases of a user at DELETE /v1/me: `erase` deletes with the erasure request's
 * backend (tenant-scoped client, data write), idempotently, and stops between two of its steps once
 * the budget is spent (`done: false`: the same request, retried with the same Idempotency-Key,
 * finishes it). It audits nothing itself: its counts go into the profile's tombstone.
 */
export interface ErasureStep {
  readonly name: string;
  erase(
    backend: Backend,
    subject: { tenantId: string; userId: string },
    budget: { until: number; now(): number },
  ): Promise<{ done: boolean; erased: Record<string, number> }>;
}

/**
 * The sections other contexts contribute to GET /v1/me/export, after `profile`, and what they erase
 * at DELETE /v1/me. Filled here, in profile, from each context's index.ts: profile depends on
 * them, never the other way (watchlists imports nothing of profile; the adapters binding its ports may).
 */
export const EXPORT_SECTIONS: readonly ExportSection[] = [watchlistsExportSection, journalExportSection];
export const ERASURE_STEPS: readonly ErasureStep[] = [watchlistsErasureStep, journalErasureStep];

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
