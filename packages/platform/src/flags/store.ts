import type { UnitOfWork } from '../data/unit-of-work.js';
import type { FlagSetting } from './flags.js';

/** The global settings and tenant overrides of feature flags, in the control table. */
export interface FlagStore {
  /** the platform-wide setting of a flag */
  global(key: string): Promise<FlagSetting | undefined>;
  /** a tenant's override of a flag */
  override(tenantId: string, key: string): Promise<FlagSetting | undefined>;
  /** every global setting */
  globals(): Promise<FlagSetting[]>;
  /** every override of a tenant */
  overrides(tenantId: string): Promise<FlagSetting[]>;
  /** creates (expectedVersion undefined) or replaces the setting at `expectedVersion` (412 otherwise) */
  put(uow: UnitOfWork, setting: FlagSetting, expectedVersion: number | undefined): void;
  /** removes a tenant's override (404 when it is gone already) */
  remove(uow: UnitOfWork, tenantId: string, key: string): void;
}
