import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Notifier, OutboundNotification } from '@ballast/app/watchlists/notifications.js';
import { type AddressBook, NoAddressError } from './addresses.js';

/** What the e-mail adapter needs of Amazon SES: one call that sends a plain-text message and answers its id. */
export interface SesSender {
  sendEmail(message: { from: string; to: string; subject: string; text: string }): Promise<{ messageId?: string }>;
}

/** E-mail through SES from the deployment's verified sender; other channels are not this adapter's. */
export function sesEmailNotifier(ses: SesSender, o: { from: string; addresses: AddressBook }): Notifier {
  return {
    async send(message: OutboundNotification) {
      if (message.channel !== 'email') throw new Error(`the SES adapter sends e-mail, not ${message.channel}`);
      const { email } = await o.addresses(message.tenantId, message.userId, 'email');
      if (!email) throw new NoAddressError('e-mail');
      return ses.sendEmail({ from: o.from, to: email, subject: message.subject, text: message.body });
    },
  };
}

/** The SES v2 binding of `SesSender`: a simple (not templated) plain-text message, UTF-8. */
export function sesV2Sender(client: SESv2Client): SesSender {
  return {
    async sendEmail({ from, to, subject, text }) {
      const sent = await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: text, Charset: 'UTF-8' } } },
          },
        }),
      );
      return { messageId: sent.MessageId };
    },
  };
}
