import type { FlagDefinition } from '@ballast/platform/flags/flags.js';
import { LIVE_TRADING } from './trading/index.js';

/**
 * Every feature flag, declared by the context it gates: read by the flag routes (their list, and
 * which keys may be set) and the docs. A flag nobody declares cannot be set.
 */
export const ALL_FLAGS: readonly FlagDefinition[] = [LIVE_TRADING];
