import type { Onboarding, Preferences, Theme, TradingPreferences } from './store.js';

/** The terms and privacy notice in force: real trading needs both accepted at these versions. */
export const CURRENT_TERMS_VERSION = '2026-01';
export const CURRENT_PRIVACY_VERSION = '2026-01';

/**
 * What a user has before their first write: each document at version 0 (sent as ETag "0"; the
 * first PUT or PATCH sends If-Match: "0").
 */
export function defaultPreferences(): Preferences {
  const both = { email: true, push: true, sms: false };
  return {
    display: { theme: 'system', language: 'en', timezone: 'UTC', chartType: 'candlestick' },
    data: { refreshIntervalSeconds: 60, realTime: false },
    notifications: {
      'watchlist.alert': { ...both },
      'risk.halt': { email: true, push: true, sms: true },
      'schedule.failed': { ...both },
    },
    trading: { defaultOrderType: 'limit', confirmOrders: true },
    version: 0,
    updatedAt: null,
  };
}

export function defaultTheme(): Theme {
  return {
    colours: {
      primary: '#2563eb',
      secondary: '#64748b',
      accent: '#f59e0b',
      background: '#ffffff',
      surface: '#f8fafc',
      text: '#0f172a',
      // AA contrast (4.5:1) as text on both background and surface: gains are read, not only seen
      positive: '#15803d',
      negative: '#dc2626',
    },
    fonts: { family: 'system', sizePx: 14, monospaceNumbers: true },
    layout: { density: 'comfortable', sidebar: 'left', dashboardColumns: 3 },
    version: 0,
    updatedAt: null,
  };
}

export function defaultTradingPreferences(): TradingPreferences {
  return {
    style: 'long-term',
    strategyPreference: null,
    defaultPositionSize: '1000',
    maxPositionSize: '10000',
    stopLossPct: '5',
    takeProfitPct: '10',
    allocationTargets: { cash: '10', equity: '60', bond: '25', alternative: '5' },
    paperTradingEnabled: true,
    realTradingEnabled: false,
    version: 0,
    updatedAt: null,
  };
}

export function defaultOnboarding(): Onboarding {
  return {
    experience: null,
    riskTolerance: null,
    investmentHorizon: null,
    taxResidency: null,
    sealed: {},
    terms: null,
    privacy: null,
    completedSteps: [],
    version: 0,
    updatedAt: null,
  };
}
