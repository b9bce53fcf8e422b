import { SNSClient } from '@aws-sdk/client-sns';
import type { Backend } from '@ballast/platform/http/handler.js';
import { notificationChannels } from '@ballast/app/profile/index.js';
import { watchlistsPorts } from '@ballast/app/watchlists/ports.js';
import type { Notifier } from '@ballast/app/watchlists/notifications.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';
import { channelNotifier, localOutbox, noAddresses, snsNotifier } from './notifications/index.js';

let sns: SNSClient | undefined;

/**
 * The notifier of a deployment: locally the outbox (`GET /_local/outbox`); in the cloud SNS for
 * push and SMS, and e-mail unbound until `@aws-sdk/client-sesv2` is installed (sesEmailNotifier
 * is ready for it). No address book is wired yet (`noAddresses`): cloud deliveries are recorded
 * failed with "no … address" until the profile context's addresses are.
 */
export function deploymentNotifier(b: Backend): Notifier {
  if (b.platform.config.stage === 'local') return localOutbox;
  sns ??= new SNSClient({ region: b.platform.config.region });
  const phoneAndPush = snsNotifier(sns, { addresses: noAddresses });
  return channelNotifier({ push: phoneAndPush, sms: phoneAndPush });
}

/** The watchlists context's ports with the market-data providers and the notifier bound in (function entries). */
export const boundWatchlistsPorts = watchlistsPorts(MARKET_DATA_PROVIDERS, {
  notifier: deploymentNotifier,
  // each user's choice per kind of event (GET|PUT /v1/me/preferences), e-mail only until they choose
  channelsFor: (b) => (userId, kind) => notificationChannels(b, userId, kind),
});
