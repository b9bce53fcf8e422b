import type { FlagDefinition } from '@ballast/platform/flags/flags.js';

/**
 * LIVE trading is off until a system administrator turns it on, globally or for a tenant (a
 * tenant admin cannot): with it off, no LIVE account is opened and no order reaches a live venue.
 * Working LIVE orders are still synced and their fills booked.
 */
export const LIVE_TRADING: FlagDefinition = {
  key: 'trading.live',
  summary: 'LIVE trading: open LIVE accounts and send orders to the live venue',
  default: false,
  tenantOverridable: false,
};
