import { SNSClient } from '@aws-sdk/client-sns';
import type { Backend } from '@ballast/platform/http/handler.js';
import { notificationChannels } from '@ballast/app/profile/index.js';
import { watchlistsPorts, type NotificationAdapters } from '@ballast/app/watchlists/ports.js';
import type { Notifier } from '@ballast/app/watchlists/notifications.js';
import { noticesFor } from '@ballast/app/watchlists/notices.js';
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

/** The notifier and each user's channels: every context's notifications go through these. */
const notificationAdapters: NotificationAdapters = {
  notifier: deploymentNotifier,
  // each user's choice per kind of event (GET|PUT /v1/me/preferences), e-mail only until they choose
  channelsFor: (b) => (userId, kind) => notificationChannels(b, userId, kind),
};

/** The watchlists context's ports with the market-data providers and the notifier bound in (function entries). */
export const boundWatchlistsPorts = watchlistsPorts(MARKET_DATA_PROVIDERS, notificationAdapters);

/**
 * The notices other contexts send through the same adapters: a risk halt (trading), a failed
 * scheduled run (planning, automation). Their ports take it from their *-ports.ts wiring.
 */
export const boundNotices = noticesFor(notificationAdapters);
