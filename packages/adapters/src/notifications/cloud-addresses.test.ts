import { randomBytes } from 'node:crypto';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { secretStoreKeys } from '@ballast/app/profile/index.js';
import { currentOnboarding, patchOnboarding } from '@ballast/app/profile/onboarding.js';
import { profileStoreOf } from '@ballast/app/profile/ports.js';
import { deliver, type OutboundNotification } from '@ballast/app/watchlists/notifications.js';
import { DynamoNotificationStore } from '@ballast/app/watchlists/store.dynamo.js';
import type { NotificationRecord } from '@ballast/app/watchlists/store.js';
import { SYSTEM_TENANT } from '@ballast/platform/context/types.js';
import type { Backend } from '@ballast/platform/http/handler.js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestBed, T0, type TestBed } from '../../../platform/test/support/harness.js';
import { deploymentNotifier } from '../watchlists-ports.js';
import { cloudAddressBook, cognitoEmail } from './cloud-addresses.js';

const POOL = 'eu-central-1_AbCdEf123';
const TENANT = 't_addr';
/** the tenant's field key, held by the (test) secret store: 256 bits, base64url */
const FIELD_KEY = randomBytes(32).toString('base64url');
const PHONE = '+14155550123';

const cognito = mockClient(CognitoIdentityProviderClient);
const ses = mockClient(SESv2Client);
const sns = mockClient(SNSClient);
afterEach(() => {
  cognito.reset();
  ses.reset();
  sns.reset();
});

/** What Cognito answers for a user of the pool: their e-mail and whether they verified it. */
function cognitoUsers(users: Record<string, { email: string; verified: boolean }>) {
  cognito.on(AdminGetUserCommand).callsFake((input: { UserPoolId: string; Username: string }) => {
    const user = input.UserPoolId === POOL ? users[input.Username] : undefined;
    if (!user) throw Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' });
    return {
      Username: input.Username,
      Enabled: true,
      UserAttributes: [
        { Name: 'sub', Value: input.Username },
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: String(user.verified) },
      ],
    };
  });
}

describe('cognitoEmail (Cognito mocked at the SDK boundary)', () => {
  const client = new CognitoIdentityProviderClient({ region: 'eu-central-1' });

  it('answers the verified e-mail only, asking the pool for the user by their sub', async () => {
    cognitoUsers({
      u_verified: { email: 'verified@example.com', verified: true },
      u_unverified: { email: 'unverified@example.com', verified: false },
    });
    expect(await cognitoEmail(client, POOL, 'u_verified')).toBe('verified@example.com');
    expect(await cognitoEmail(client, POOL, 'u_unverified')).toBeUndefined();
    expect(cognito.commandCalls(AdminGetUserCommand)[0].args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'u_verified',
    });
  });

  it('a user the pool does not hold has no address; another failure throws without Cognito’s message', async () => {
    cognitoUsers({});
    expect(await cognitoEmail(client, POOL, 'u_gone')).toBeUndefined();
    cognito
      .on(AdminGetUserCommand)
      .rejects(Object.assign(new Error(`not authorized on ${POOL}`), { name: 'AccessDeniedException' }));
    const failure = cognitoEmail(client, POOL, 'u_any');
    await expect(failure).rejects.toThrow('(AccessDeniedException)');
    await expect(cognitoEmail(client, POOL, 'u_any')).rejects.not.toThrow(POOL);
  });
});

describe('the cloud address book and deploymentNotifier, with the profile store on DynamoDB Local', () => {
  let bed: TestBed;

  beforeAll(async () => {
    bed = await createTestBed({
      prefix: 'addresses',
      // a cloud stage (not `local`), with the stage's sender
      config: { stage: 'addrtest', emailFrom: 'Ballast <alerts@ballast.example>' },
      overrides: { secrets: { resolve: async () => FIELD_KEY } },
    });
    await bed.tenant(TENANT);
    await bed.routing(SYSTEM_TENANT, 'dev', {
      kind: 'identity',
      issuer: `https://cognito-idp.eu-central-1.amazonaws.com/${POOL}`,
      clientIds: ['client'],
      jwksUri: `https://cognito-idp.eu-central-1.amazonaws.com/${POOL}/.well-known/jwks.json`,
      userPoolId: POOL,
    });
    await bed.routing(TENANT, 'dev', { kind: 'secrets', prefix: `test/${TENANT}/`, refs: {} });
    await bed.routing(TENANT, 'dev', { kind: 'data', mode: 'pooled', tableName: bed.table });
  });

  /** The backend a job of the tenant would have (its verified scope, its data table). */
  async function backend(): Promise<Backend> {
    const data = await bed.platform.registry.require(TENANT, 'dev', 'data');
    return {
      platform: bed.platform,
      ctx: undefined,
      scope: { tenantId: TENANT, env: 'dev' },
      data,
      db: bed.db,
      requestId: 'test',
      now: T0,
    };
  }

  /** The user's onboarding through the profile context, their phone sealed with a data key of their own. */
  async function givePhone(userId: string, phone: string): Promise<void> {
    const b = await backend();
    const subject = { tenantId: TENANT, userId };
    const profile = profileStoreOf(b, subject);
    await patchOnboarding(
      {
        profile,
        keys: () => secretStoreKeys(b),
        subject,
        now: T0,
        unitOfWork: () => bed.platform.unitOfWork({ kind: 'system', tenantId: TENANT, requestId: 'seed' }, T0),
      },
      await currentOnboarding(profile),
      { phone },
    );
  }

  const message = (o: Partial<OutboundNotification>): OutboundNotification => ({
    notificationId: 'nt_01J00000000000000000000000',
    tenantId: TENANT,
    userId: 'u_phone',
    kind: 'watchlist.alert',
    channel: 'email',
    subject: 'AAPL rose to 160',
    body: 'AAPL is at or above your alert level 150.',
    ...o,
  });

  it('reads the phone sealed in onboarding and the verified e-mail, only what the channel needs', async () => {
    cognitoUsers({ u_phone: { email: 'phone@example.com', verified: true } });
    await givePhone('u_phone', PHONE);
    const b = await backend();
    // the sealed value is not the phone: it is only readable with the user's data key
    const stored = await profileStoreOf(b, { tenantId: TENANT, userId: 'u_phone' }).getOnboarding();
    expect(stored?.sealed.phone).toBeDefined();
    expect(stored?.sealed.phone).not.toContain(PHONE);
    const book = cloudAddressBook(b, {
      cognito: new CognitoIdentityProviderClient({ region: 'eu-central-1' }),
      keys: secretStoreKeys,
    });
    expect(await book(TENANT, 'u_phone', 'sms')).toEqual({ phone: PHONE });
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(0);
    expect(await book(TENANT, 'u_phone', 'email')).toEqual({ email: 'phone@example.com' });
    // no device registers a push endpoint yet
    expect(await book(TENANT, 'u_phone', 'push')).toEqual({});
    // a user who gave no phone has none; another tenant's user is not read with this backend
    expect(await book(TENANT, 'u_nophone', 'sms')).toEqual({});
    await expect(book('t_other', 'u_phone', 'sms')).rejects.toThrow('own tenant');
  });

  it('an erased user has no phone: their data key is destroyed', async () => {
    await givePhone('u_erased', '+14155550199');
    const b = await backend();
    const book = cloudAddressBook(b, {
      cognito: new CognitoIdentityProviderClient({ region: 'eu-central-1' }),
      keys: secretStoreKeys,
    });
    expect(await book(TENANT, 'u_erased', 'sms')).toEqual({ phone: '+14155550199' });
    const profile = profileStoreOf(b, { tenantId: TENANT, userId: 'u_erased' });
    const uow = bed.platform.unitOfWork({ kind: 'system', tenantId: TENANT, requestId: 'erase' }, T0);
    profile.destroyDataKey(uow);
    await uow.commit();
    expect(await book(TENANT, 'u_erased', 'sms')).toEqual({});
    await profile.deleteDocuments();
    expect(await book(TENANT, 'u_erased', 'sms')).toEqual({});
  });

  it('deploymentNotifier in a cloud stage e-mails via SES to the Cognito address, texts via SNS', async () => {
    cognitoUsers({ u_phone: { email: 'phone@example.com', verified: true } });
    await givePhone('u_phone', PHONE);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    sns.on(PublishCommand).resolves({ MessageId: 'sms-1' });
    const notifier = deploymentNotifier(await backend());

    expect(await notifier.send(message({ channel: 'email' }))).toEqual({ messageId: 'ses-1' });
    const email = ses.commandCalls(SendEmailCommand)[0].args[0].input;
    expect(email.FromEmailAddress).toBe('Ballast <alerts@ballast.example>');
    expect(email.Destination?.ToAddresses).toEqual(['phone@example.com']);
    expect(email.Content?.Simple?.Subject?.Data).toBe('AAPL rose to 160');

    expect(await notifier.send(message({ channel: 'sms' }))).toEqual({ messageId: 'sms-1' });
    const sms = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(sms.PhoneNumber).toBe(PHONE);
    expect(sms.Message).toBe('AAPL rose to 160: AAPL is at or above your alert level 150.');
    // push: no endpoint, refused before SNS is asked
    await expect(notifier.send(message({ channel: 'push' }))).rejects.toThrow('no push address');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('a user Cognito does not know fails the e-mail alone: the SMS of the same notification is sent', async () => {
    cognitoUsers({});
    await givePhone('u_unknown', PHONE);
    sns.on(PublishCommand).resolves({ MessageId: 'sms-2' });
    const notifications = new DynamoNotificationStore(bed.db, bed.table, TENANT);
    const record: NotificationRecord = {
      notificationId: 'nt_01J00000000000000000000001',
      userId: 'u_unknown',
      kind: 'watchlist.alert',
      subject: 'AAPL rose to 160',
      body: 'AAPL is at or above your alert level 150.',
      deliveries: [
        { channel: 'email', status: 'pending' },
        { channel: 'sms', status: 'pending' },
      ],
      createdAt: new Date(T0).toISOString(),
    };
    const uow = bed.platform.unitOfWork({ kind: 'system', tenantId: TENANT, requestId: 'notify' }, T0);
    notifications.put(uow, record);
    await uow.commit();
    const b = await backend();
    const done = await deliver({ tenantId: TENANT, notifications, notifier: () => deploymentNotifier(b) }, record);
    expect(done.deliveries).toEqual([
      { channel: 'email', status: 'failed', error: 'no e-mail address is known for the user' },
      { channel: 'sms', status: 'sent', messageId: 'sms-2' },
    ]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
