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

/** The record to store for a request, each wanted channel pending (none wanted: stored, nothing sent). */
export async function draftNotification(deps: NotifyDeps, request: NotificationRequest): Promise<NotificationRecord> {
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
export async function deliver(deps: NotifyDeps, record: NotificationRecord): Promise<NotificationRecord> {
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
 * Stores a notification for its user and sends it on the channels they chose: what other
 * contexts call (`risk.halt` from the trading desk, `schedule.failed` from planning). Stored
 * first, so it is listed even when every channel fails.
 */
export async function notify(deps: NotifyDeps, request: NotificationRequest): Promise<NotificationRecord> {
  const record = await draftNotification(deps, request);
  const uow = deps.unitOfWork();
  deps.notifications.put(uow, record);
  await uow.commit();
  return deliver(deps, record);
}
