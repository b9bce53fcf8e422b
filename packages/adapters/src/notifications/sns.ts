import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier, OutboundNotification } from '@ballast/app/watchlists/notifications.js';
import { type AddressBook, NoAddressError } from './addresses.js';

/** SMS is short: the subject and as much of the body as fits in one 160-character message. */
const SMS_CHARS = 160;

/**
 * Push (to the user's SNS platform endpoint) and SMS (to their phone number) through Amazon SNS.
 * Alerts are transactional SMS: they go out even to numbers that opted out of promotions.
 */
export function snsNotifier(sns: SNSClient, o: { addresses: AddressBook }): Notifier {
  return {
    async send(message: OutboundNotification) {
      if (message.channel !== 'sms' && message.channel !== 'push') {
        throw new Error(`the SNS adapter sends push and SMS, not ${message.channel}`);
      }
      const addresses = await o.addresses(message.tenantId, message.userId, message.channel);
      if (message.channel === 'sms') {
        if (!addresses.phone) throw new NoAddressError('phone');
        const res = await sns.send(
          new PublishCommand({
            PhoneNumber: addresses.phone,
            Message: `${message.subject}: ${message.body}`.slice(0, SMS_CHARS),
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            },
          }),
        );
        return { messageId: res.MessageId };
      }
      if (!addresses.pushEndpointArn) throw new NoAddressError('push');
      const res = await sns.send(
        new PublishCommand({
          TargetArn: addresses.pushEndpointArn,
          Subject: message.subject.slice(0, 100),
          Message: message.body,
        }),
      );
      return { messageId: res.MessageId };
    },
  };
}
