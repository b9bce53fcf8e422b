import type { Channel, Notifier, OutboundNotification } from '@ballast/app/watchlists/notifications.js';

export { type Addresses, type AddressBook, NoAddressError, noAddresses } from './addresses.js';
export { type CloudAddressDeps, cloudAddressBook, cognitoEmail } from './cloud-addresses.js';
export { LocalOutbox, localOutbox, type OutboxEntry } from './outbox.js';
export { type SesSender, sesEmailNotifier, sesV2Sender } from './ses.js';
export { snsNotifier } from './sns.js';

/** One notifier per channel behind the port: e-mail to SES, push and SMS to SNS; a channel with none fails. */
export function channelNotifier(byChannel: Partial<Record<Channel, Notifier>>): Notifier {
  return {
    send(message: OutboundNotification) {
      const notifier = byChannel[message.channel];
      if (!notifier) return Promise.reject(new Error(`no ${message.channel} sender is bound in this deployment`));
      return notifier.send(message);
    },
  };
}
