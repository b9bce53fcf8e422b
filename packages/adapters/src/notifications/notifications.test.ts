import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { OutboundNotification } from '@ballast/app/watchlists/notifications.js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { channelNotifier, LocalOutbox, noAddresses, sesEmailNotifier, sesV2Sender, snsNotifier } from './index.js';

const message = (o: Partial<OutboundNotification> = {}): OutboundNotification => ({
  notificationId: 'nt_01J00000000000000000000000',
  tenantId: 't_demo',
  userId: 'u_owner',
  kind: 'watchlist.alert',
  channel: 'email',
  subject: 'AAPL rose to 160',
  body: 'AAPL is at or above your alert level 150: 160 as of 2026-03-10T00:00:00.000Z.',
  ...o,
});
const addresses = async () => ({
  email: 'owner@example.com',
  phone: '+14155550123',
  pushEndpointArn: 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/ballast/abc',
});

describe('SNS: push and SMS (the SDK mocked at its boundary)', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());

  it('SMS goes to the phone number as a transactional message of one SMS at most', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sms-1' });
    const sent = await snsNotifier(new SNSClient({ region: 'eu-west-1' }), { addresses }).send(
      message({ channel: 'sms', body: 'x'.repeat(400) }),
    );
    expect(sent).toEqual({ messageId: 'sms-1' });
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.PhoneNumber).toBe('+14155550123');
    expect(input.TargetArn).toBeUndefined();
    expect(input.Message?.length).toBe(160);
    expect(input.MessageAttributes?.['AWS.SNS.SMS.SMSType']?.StringValue).toBe('Transactional');
  });

  it('push goes to the device endpoint with the subject', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'push-1' });
    await snsNotifier(new SNSClient({ region: 'eu-west-1' }), { addresses }).send(message({ channel: 'push' }));
    const input = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(input.TargetArn).toContain(':endpoint/APNS/');
    expect(input.Subject).toBe('AAPL rose to 160');
    expect(input.PhoneNumber).toBeUndefined();
  });

  it('no address, or e-mail, is refused before SNS is called; an SNS failure is the caller’s to record', async () => {
    const notifier = snsNotifier(new SNSClient({ region: 'eu-west-1' }), { addresses: noAddresses });
    await expect(notifier.send(message({ channel: 'sms' }))).rejects.toThrow('no phone address');
    await expect(notifier.send(message({ channel: 'push' }))).rejects.toThrow('no push address');
    await expect(notifier.send(message({ channel: 'email' }))).rejects.toThrow('not email');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Invalid parameter'), { name: 'InvalidParameterException' }));
    await expect(
      snsNotifier(new SNSClient({ region: 'eu-west-1' }), { addresses }).send(message({ channel: 'sms' })),
    ).rejects.toThrow('Invalid parameter');
  });
});

describe('SES: e-mail', () => {
  it('sends plain text from the deployment sender to the user’s address', async () => {
    const calls: unknown[] = [];
    const notifier = sesEmailNotifier(
      {
        sendEmail: async (m) => {
          calls.push(m);
          return { messageId: 'ses-1' };
        },
      },
      { from: 'alerts@ballast.example', addresses },
    );
    expect(await notifier.send(message())).toEqual({ messageId: 'ses-1' });
    expect(calls).toEqual([
      {
        from: 'alerts@ballast.example',
        to: 'owner@example.com',
        subject: 'AAPL rose to 160',
        text: message().body,
      },
    ]);
    await expect(notifier.send(message({ channel: 'sms' }))).rejects.toThrow('not sms');
    const nowhere = sesEmailNotifier({ sendEmail: async () => ({}) }, { from: 'a@b.c', addresses: noAddresses });
    await expect(nowhere.send(message())).rejects.toThrow('no e-mail address');
  });
});

describe('the local outbox and the channel router', () => {
  it('keeps every message in order, per tenant and user', async () => {
    const outbox = new LocalOutbox(() => Date.UTC(2026, 2, 10));
    await outbox.send(message());
    await outbox.send(message({ channel: 'sms', userId: 'u_other' }));
    await outbox.send(message({ tenantId: 't_acme' }));
    expect(outbox.list().map((m) => m.messageId)).toEqual(['local-1', 'local-2', 'local-3']);
    expect(outbox.list({ tenantId: 't_demo', userId: 'u_owner' })).toHaveLength(1);
    expect(outbox.list({ tenantId: 't_demo' })[1]).toMatchObject({
      channel: 'sms',
      sentAt: '2026-03-10T00:00:00.000Z',
    });
  });

  it('routes each channel to its notifier; an unbound channel fails', async () => {
    const outbox = new LocalOutbox();
    const router = channelNotifier({ sms: outbox });
    await router.send(message({ channel: 'sms' }));
    await expect(router.send(message({ channel: 'email' }))).rejects.toThrow('no email sender');
    expect(outbox.list()).toHaveLength(1);
  });
});

describe('SES v2: e-mail (the SDK mocked at its boundary)', () => {
  const ses = mockClient(SESv2Client);
  afterEach(() => ses.reset());

  it('sends a plain-text message from the deployment sender to the owner, answering the message id', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'mail-1' });
    const sender = sesV2Sender(new SESv2Client({ region: 'eu-west-1' }));
    const sent = await sesEmailNotifier(sender, { from: 'alerts@ballast.example', addresses }).send(message());
    expect(sent).toEqual({ messageId: 'mail-1' });
    const input = ses.commandCalls(SendEmailCommand)[0].args[0].input;
    expect(input.FromEmailAddress).toBe('alerts@ballast.example');
    expect(input.Destination?.ToAddresses).toEqual(['owner@example.com']);
    expect(input.Content?.Simple?.Subject?.Data).toBe('AAPL rose to 160');
    expect(input.Content?.Simple?.Body?.Text?.Data).toContain('alert level 150');
  });
});
