import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Backend } from '@ballast/platform/http/handler.js';
import { notificationChannels } from '@ballast/app/profile/index.js';
import { watchlistsPorts, type NotificationAdapters } from '@ballast/app/watchlists/ports.js';
import type { Notifier } from '@ballast/app/watchlists/notifications.js';
import { noticesFor } from '@ballast/app/watchlists/notices.js';
import { MARKET_DATA_PROVIDERS } from './market-data/index.js';
import {
  channelNotifier,
  cloudAddressBook,
  localOutbox,
  sesEmailNotifier,
  sesV2Sender,
  snsNotifier,
} from './notifications/index.js';
import { tenantKeyWrapper } from './profile-ports.js';

/** The SDK clients of a process, made on first use (one each, for every tenant and user it serves). */
let clients: { sns: SNSClient; ses: SESv2Client; cognito: CognitoIdentityProviderClient } | undefined;

/**
 * The notifier of a deployment: locally the outbox (`GET /_local/outbox`); in the cloud SES for
 * e-mail (from the stage's sender, BALLAST_EMAIL_FROM: without one e-mail is not bound and each
 * e-mail delivery is recorded failed, saying so) and SNS for SMS and push. Addresses come from
 * the cloud address book: the verified e-mail in the deployment's Cognito pool, the phone sealed
 * in the user's onboarding, no push endpoint yet.
 */
export function deploymentNotifier(b: Backend): Notifier {
  const config = b.platform.config;
  if (config.stage === 'local') return localOutbox;
  clients ??= {
    sns: new SNSClient({ region: config.region }),
    ses: new SESv2Client({ region: config.region }),
    cognito: new CognitoIdentityProviderClient({ region: config.region }),
  };
  const addresses = cloudAddressBook(b, { cognito: clients.cognito, keys: tenantKeyWrapper });
  const phoneAndPush = snsNotifier(clients.sns, { addresses });
  const email = config.emailFrom
    ? sesEmailNotifier(sesV2Sender(clients.ses), { from: config.emailFrom, addresses })
    : undefined;
  return channelNotifier({ push: phoneAndPush, sms: phoneAndPush, ...(email ? { email } : {}) });
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
