import type { StoredDataKey } from '@ballast/platform/crypto/envelope.js';
import type { Page, PageRequest } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type {
  Experience,
  FavouriteKind,
  Horizon,
  RiskTolerance,
  OnboardingStep,
  PreferencesBody,
  ThemeBody,
  TradingPreferencesBody,
} from './schemas.js';

/** A document of one user that is replaced whole, at a version (0 before its first write). */
export type Versioned<T> = T & { version: number; updatedAt: string | null };

export type Preferences = Versioned<PreferencesBody>;
export type Theme = Versioned<ThemeBody>;
export type TradingPreferences = Versioned<TradingPreferencesBody>;

/** The personal fields, each sealed with the user's data key (`enc1.…`), never plaintext. */
export const PERSONAL_FIELDS = ['fullName', 'dateOfBirth', 'phone', 'taxId'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** Onboarding as stored: the answers, the acceptances, and the personal fields sealed. */
export interface Onboarding {
  experience: Experience | null;
  riskTolerance: RiskTolerance | null;
  investmentHorizon: Horizon | null;
  taxResidency: string | null;
  sealed: Partial<Record<PersonalField, string>>;
  terms: { version: string; acceptedAt: string } | null;
  privacy: { version: string; acceptedAt: string } | null;
  /** the steps complete when it was written (what it is now depends on the data key too) */
  completedSteps: OnboardingStep[];
  version: number;
  updatedAt: string | null;
}

export interface Favourite {
  kind: FavouriteKind;
  name: string;
  addedAt: string;
}

/** Most favourites of one kind a user keeps. */
export const MAX_FAVOURITES = 100;

/**
 * One user's profile in one tenant: the user comes from the verified context, never from input.
 * Each document is replaced at its version (`expectedVersion` 0: it must not exist yet).
 */
export interface ProfileStore {
  getPreferences(): Promise<Preferences | undefined>;
  putPreferences(uow: UnitOfWork, preferences: Preferences, expectedVersion: number): void;
  getTheme(): Promise<Theme | undefined>;
  putTheme(uow: UnitOfWork, theme: Theme, expectedVersion: number): void;
  getTradingPreferences(): Promise<TradingPreferences | undefined>;
  putTradingPreferences(uow: UnitOfWork, prefs: TradingPreferences, expectedVersion: number): void;
  getOnboarding(): Promise<Onboarding | undefined>;
  putOnboarding(uow: UnitOfWork, onboarding: Onboarding, expectedVersion: number): void;

  /** strategies first, then symbols, each in name order */
  listFavourites(page: PageRequest & { kind?: FavouriteKind }): Promise<Page<Favourite>>;
  getFavourite(kind: FavouriteKind, name: string): Promise<Favourite | undefined>;
  countFavourites(kind: FavouriteKind): Promise<number>;
  /** adds it (a favourite already there fails the unit of work with 409 FAVOURITE_EXISTS) */
  addFavourite(uow: UnitOfWork, favourite: Favourite): void;
  /** removes it (404 FAVOURITE_NOT_FOUND once gone) */
  removeFavourite(uow: UnitOfWork, kind: FavouriteKind, name: string): void;

  /** the user's wrapped data key, if one was made and not destroyed */
  getDataKey(): Promise<StoredDataKey | undefined>;
  /** stores a new data key (409 WRITE_CONFLICT when another request made one first) */
  createDataKey(uow: UnitOfWork, key: StoredDataKey): void;
  /** destroys the wrapped data key: whatever it sealed can never be opened again */
  destroyDataKey(uow: UnitOfWork): void;
  /** deletes every item of the profile but the data key (not atomic; harmless to repeat); how many */
  deleteDocuments(): Promise<number>;
}
