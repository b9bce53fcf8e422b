import { defineRoutes } from '@ballast/platform/http/define-route.js';
import * as s from './schemas.js';

/**
 * Everything here belongs to the caller: the tenant and the user come from the verified context
 * (no X-Project-Id, no user in a path), so another user's profile has no address at all.
 */
const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
/** changes are audited in the control table */
const writer = { ...reader, uses: { control: 'write', data: 'write' } } as const;
/** personal fields are sealed and opened with the user's data key, wrapped by the tenant's key */
const personal = { secrets: ['tenant'], keys: 'wrap' } as const;

/** The caller's preferences, theme, favourites, onboarding, trading preferences; export and erasure. */
export const routes = defineRoutes('profile', {
  getPreferences: {
    id: 'preferences.get',
    method: 'GET',
    path: '/v1/me/preferences',
    summary:
      'Your preferences: display (theme, language, time zone, chart type), data refresh, notification ' +
      'channels per event kind, default order type and confirmations. Before the first write: the defaults, ' +
      'version 0 (ETag "0")',
    access: 'tenant',
    ...reader,
    request: {},
    responses: { 200: { description: 'The preferences', body: s.preferences, headers: ['ETag'] } },
  },
  putPreferences: {
    id: 'preferences.put',
    method: 'PUT',
    path: '/v1/me/preferences',
    summary: 'Replace your preferences (If-Match; `"0"` before the first write). Unknown fields are 400',
    access: 'tenant',
    ...writer,
    ifMatch: 'required',
    request: { body: s.preferencesBody },
    responses: { 200: { description: 'The preferences as stored', body: s.preferences, headers: ['ETag'] } },
  },
  getTheme: {
    id: 'theme.get',
    method: 'GET',
    path: '/v1/me/theme',
    summary: 'Your theme: colours (hex), fonts and layout; the defaults at version 0 before the first write',
    access: 'tenant',
    ...reader,
    request: {},
    responses: { 200: { description: 'The theme', body: s.theme, headers: ['ETag'] } },
  },
  putTheme: {
    id: 'theme.put',
    method: 'PUT',
    path: '/v1/me/theme',
    summary: 'Replace your theme (If-Match; `"0"` before the first write); colours are #rgb or #rrggbb',
    access: 'tenant',
    ...writer,
    ifMatch: 'required',
    request: { body: s.themeBody },
    responses: { 200: { description: 'The theme as stored', body: s.theme, headers: ['ETag'] } },
  },
  listFavourites: {
    id: 'favourites.list',
    method: 'GET',
    path: '/v1/me/favourites',
    summary: 'Your favourite strategies, then symbols, each in name order; `kind` strategy|symbol gives one kind',
    access: 'tenant',
    ...reader,
    uses: { ...reader.uses, secrets: ['cursor'] },
    request: { query: s.favouriteQuery },
    responses: { 200: { description: 'A page of favourites', body: s.favouritePage } },
  },
  putStrategyFavourite: {
    id: 'favourites.putStrategy',
    method: 'PUT',
    path: '/v1/me/favourites/strategies/{strategy}',
    summary:
      'Mark a strategy (a name from GET /v1/strategies) as a favourite; again is a no-op. At most 100 ' +
      '(422 FAVOURITE_LIMIT)',
    access: 'tenant',
    ...writer,
    request: { params: s.strategyFavouriteParams, body: s.favouriteBody },
    responses: { 200: { description: 'The favourite', body: s.favourite } },
  },
  deleteStrategyFavourite: {
    id: 'favourites.deleteStrategy',
    method: 'DELETE',
    path: '/v1/me/favourites/strategies/{strategy}',
    summary: 'Unmark a favourite strategy (404 FAVOURITE_NOT_FOUND when it is not one)',
    access: 'tenant',
    ...writer,
    request: { params: s.strategyFavouriteParams },
    responses: { 204: { description: 'Removed' } },
  },
  putSymbolFavourite: {
    id: 'favourites.putSymbol',
    method: 'PUT',
    path: '/v1/me/favourites/symbols/{symbol}',
    summary: 'Mark a symbol as a favourite; again is a no-op. At most 100 (422 FAVOURITE_LIMIT)',
    access: 'tenant',
    ...writer,
    request: { params: s.symbolFavouriteParams, body: s.favouriteBody },
    responses: { 200: { description: 'The favourite', body: s.favourite } },
  },
  deleteSymbolFavourite: {
    id: 'favourites.deleteSymbol',
    method: 'DELETE',
    path: '/v1/me/favourites/symbols/{symbol}',
    summary: 'Unmark a favourite symbol (404 FAVOURITE_NOT_FOUND when it is not one)',
    access: 'tenant',
    ...writer,
    request: { params: s.symbolFavouriteParams },
    responses: { 204: { description: 'Removed' } },
  },
  getOnboarding: {
    id: 'onboarding.get',
    method: 'GET',
    path: '/v1/me/onboarding',
    summary:
      'Your onboarding: steps, the current one, those done; experience, risk tolerance, horizon; name, date ' +
      'of birth, phone; tax residency and id (masked •••••6789; `?reveal=taxId` shows it and needs a fresh ' +
      'login); terms and privacy acceptances. Fields whose data key was destroyed read as null',
    access: 'tenant',
    ...reader,
    uses: { ...reader.uses, ...personal },
    request: { query: s.onboardingQuery },
    responses: { 200: { description: 'The onboarding', body: s.onboarding, headers: ['ETag'] } },
  },
  patchOnboarding: {
    id: 'onboarding.patch',
    method: 'PATCH',
    path: '/v1/me/onboarding',
    summary:
      'Answer onboarding (If-Match; `"0"` before the first write): the fields sent are set, null clears one. ' +
      'Personal fields are encrypted before they are written. Accepting terms or privacy takes the current ' +
      'version only (422 ACCEPTANCE_VERSION_NOT_CURRENT)',
    access: 'tenant',
    ...writer,
    uses: { ...writer.uses, ...personal },
    ifMatch: 'required',
    request: { body: s.onboardingPatch },
    responses: { 200: { description: 'The onboarding after the change', body: s.onboarding, headers: ['ETag'] } },
  },
  getTradingPreferences: {
    id: 'tradingPreferences.get',
    method: 'GET',
    path: '/v1/me/trading-preferences',
    summary:
      'Your trading preferences: style, strategy preference, position sizes, stop-loss and take-profit %, ' +
      'allocation targets, paper and real trading switches; the defaults at version 0 before the first write',
    access: 'tenant',
    ...reader,
    request: {},
    responses: { 200: { description: 'The trading preferences', body: s.tradingPreferences, headers: ['ETag'] } },
  },
  putTradingPreferences: {
    id: 'tradingPreferences.put',
    method: 'PUT',
    path: '/v1/me/trading-preferences',
    summary:
      'Replace your trading preferences (If-Match; `"0"` before the first write). The default size may not ' +
      'exceed the maximum; allocation targets add up to exactly 100. Real trading needs onboarding complete ' +
      'with the current terms (422 ONBOARDING_INCOMPLETE with the missing steps)',
    access: 'tenant',
    ...writer,
    ifMatch: 'required',
    request: { body: s.tradingPreferencesBody },
    responses: {
      200: { description: 'The trading preferences as stored', body: s.tradingPreferences, headers: ['ETag'] },
    },
  },
  exportMe: {
    id: 'me.export',
    method: 'GET',
    path: '/v1/me/export',
    summary:
      'Everything Ballast holds about you, as JSON: one section per context (`profile` first, then ' +
      '`watchlists`: your watchlists with items and shares, those shared with you, your notifications), ' +
      'personal fields decrypted. Needs a fresh login',
    access: 'tenant',
    ...reader,
    uses: { ...reader.uses, ...personal },
    freshLogin: true,
    request: {},
    responses: { 200: { description: 'Your data', body: s.personalExport } },
  },
  eraseMe: {
    id: 'me.erase',
    method: 'DELETE',
    path: '/v1/me',
    summary:
      'Erase yourself from this tenant (fresh login, Idempotency-Key): your data key is destroyed so every ' +
      'field it encrypted is unreadable, your profile, your watchlists (items and shares), the shares granted ' +
      'to you and your notifications are deleted, your membership and the API keys you made are removed, and ' +
      'an audit tombstone without personal data stays. The last admin cannot (409 LAST_ADMIN). More than one ' +
      "request's work is 503 ERASURE_INCOMPLETE: retry with the same Idempotency-Key to continue",
    access: 'tenant',
    ...writer,
    timeoutSeconds: 29,
    freshLogin: true,
    idempotent: true,
    idempotencyKey: 'required',
    request: {},
    responses: { 200: { description: 'What was erased', body: s.erasure } },
  },
});
