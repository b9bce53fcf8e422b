import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { newNotificationId } from './ids.js';
import type { Delivery, NotificationRecord, NotificationStore } from './store.js';

export type Channel = 'email' | 'push' | 'sms';
export type NotificationKind = NotificationRecord['kind'];

/** One message on one channel, as an adapter sends it (SES e-mail, SNS push or SMS, the local outbox). */
export interface OutboundNotification {
  notificationId: string;
  tenantId: string;
  userId: string;
  kind: NotificationKind;
  channel: Channel;
  subject: string;
  body: string;
}

/** The port the notification adapters implement; a refusal or failure throws (the delivery is recorded failed). */
export interface Notifier {
  send(message: OutboundNotification): Promise<{ messageId?: string }>;
}

/**
 * The channels a user wants for an event kind, from their preferences (the profile context's
 * `notifications` section); the tenant is the one the ports were built for.
 */
export type ChannelsFor = (userId: string, kind: NotificationKind) => Promise<Channel[]>;

/** Until the user says otherwise: e-mail. */
export const defaultChannels: ChannelsFor = async () => ['email'];

export interface NotifyDeps {
  tenantId: string;
  notifications: NotificationStore;
  notifier: () => Notifier;
  channelsFor: ChannelsFor;
  now: number;
  unitOfWork(): UnitOfWork;
}

export interface NotificationRequest {
  userId: string;
  kind: NotificationKind;
  subject: string;
  body: string;
  /** what it is about, for the reader (`watchlists/<id>/items/<symbol>`) */
  resource?: string;
}

const CHANNEL_ORDER: readonly Channel[] = ['email', 'push', 'sms'];

/** What drafting and sending take: the unit of work is the caller's (the change the notification rides with). */
export type DeliverDeps = Pick<NotifyDeps, 'tenantId' | 'notifications' | 'notifier'>;
export type DraftDeps = Pick<NotifyDeps, 'channelsFor' | 'now'>;

/** The record to store for a request, each wanted channel pending (none wanted: stored, nothing sent). */
export async function draftNotification(deps: DraftDeps, request: NotificationRequest): Promise<NotificationRecord> {
  const wanted = new Set(await deps.channelsFor(request.userId, request.kind));
  return {
    notificationId: newNotificationId(deps.now),
    userId: request.userId,
    kind: request.kind,
    subject: request.subject,
    body: request.body,
    ...(request.resource ? { resource: request.resource } : {}),
    deliveries: CHANNEL_ORDER.filter((c) => wanted.has(c)).map((channel) => ({ channel, status: 'pending' })),
    createdAt: new Date(deps.now).toISOString(),
  };
}

/**
 * Sends a stored record on each of its channels and records how each went. A failing channel
 * never stops the others, and never fails the caller: the record says `failed` with the reason.
 */
export async function deliver(deps: DeliverDeps, record: NotificationRecord): Promise<NotificationRecord> {
  if (!record.deliveries.length) return record;
  const notifier = deps.notifier();
  const deliveries = await Promise.all(
    record.deliveries.map(async (d): Promise<Delivery> => {
      try {
        const sent = await notifier.send({
          notificationId: record.notificationId,
          tenantId: deps.tenantId,
          userId: record.userId,
          kind: record.kind,
          channel: d.channel,
          subject: record.subject,
          body: record.body,
        });
        return { channel: d.channel, status: 'sent', ...(sent.messageId ? { messageId: sent.messageId } : {}) };
      } catch (e) {
        return { channel: d.channel, status: 'failed', error: (e as Error).message.slice(0, 200) };
      }
    }),
  );
  await deps.notifications.setDeliveries(record, deliveries);
  return { ...record, deliveries };
}

/**
 * Stores a notification for its user and sends it on the channels they chose, in a unit of work of
 * its own. Stored first, so it is listed even when every channel fails. (An event that must notify
 * exactly once rides in the transaction of its own change instead: `stageNotifications`.)
 */
export async function notify(deps: NotifyDeps, request: NotificationRequest): Promise<NotificationRecord> {
  const record = await draftNotification(deps, request);
  const uow = deps.unitOfWork();
  deps.notifications.put(uow, record);
  await uow.commit();
  return deliver(deps, record);
}

/**
 * Most users one event notifies: their records ride in the transaction of the change that caused
 * it, beside its own writes, within DynamoDB's 100 writes a transaction.
 */
export const MAX_RECIPIENTS = 20;

/**
 * One notification per user (each on the channels they chose for `notice.kind`), staged in `uow`:
 * the change that caused them. They are stored only if it commits — a change that loses its race
 * notifies nobody, so a transition notifies once — and are sent with `deliverAll` after the commit.
 * Duplicate users are told once; past MAX_RECIPIENTS the rest are not told.
 */
export async function stageNotifications(
  deps: DraftDeps & Pick<NotifyDeps, 'notifications'>,
  uow: UnitOfWork,
  userIds: readonly string[],
  notice: Omit<NotificationRequest, 'userId'>,
): Promise<NotificationRecord[]> {
  const users = [...new Set(userIds)].slice(0, MAX_RECIPIENTS);
  const records = await Promise.all(users.map((userId) => draftNotification(deps, { ...notice, userId })));
  for (const record of records) deps.notifications.put(uow, record);
  return records;
}

/** Sends records whose unit of work has committed; each channel's outcome is recorded on its record. */
export async function deliverAll(
  deps: DeliverDeps,
  records: readonly NotificationRecord[],
): Promise<NotificationRecord[]> {
  return Promise.all(records.map((record) => deliver(deps, record)));
}
