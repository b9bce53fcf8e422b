import type { Role } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { type Backend, dataTableOf } from '@ballast/platform/http/handler.js';
import {
  defaultChannels,
  deliverAll,
  MAX_RECIPIENTS,
  type NotificationRequest,
  type Notifier,
  stageNotifications,
} from './notifications.js';
import type { NotificationAdapters } from './ports.js';
import { DynamoNotificationStore } from './store.dynamo.js';
import type { NotificationRecord } from './store.js';

/** What an event says: its kind (the users' channel choice is per kind), subject, body, what it is about. */
export type Notice = Omit<NotificationRequest, 'userId'>;

/** Who an event is for: these users, and (with `roles`) the tenant's members holding any of those roles. */
export interface Audience {
  users?: ReadonlyArray<string | undefined>;
  roles?: readonly Role[];
}

/**
 * How another context tells the tenant's users of an event (a risk halt, a failed scheduled run):
 * the notifications are staged in the unit of work of the change that is the event, so they are
 * stored exactly when it commits, and sent once it has.
 */
export interface Notices {
  /**
   * The audience's user ids that are members of the tenant now (a user who left, an API key's
   * principal id: nobody), in order — `users` first — without duplicates, at most MAX_RECIPIENTS.
   */
  recipients(audience: Audience): Promise<string[]>;
  /** one notification for each of `userIds`, staged in `uow` (see `stageNotifications`) */
  stage(uow: UnitOfWork, userIds: readonly string[], notice: Notice): Promise<NotificationRecord[]>;
  /** `recipients` then `stage` */
  tell(uow: UnitOfWork, audience: Audience, notice: Notice): Promise<NotificationRecord[]>;
  /**
   * Sends what a committed unit of work stored. Never throws: the change it tells of is done, and
   * a notification that could not be sent stays listed with its deliveries `pending` or `failed`.
   */
  deliver(records: readonly NotificationRecord[]): Promise<void>;
}

export type NoticesFor = (b: Backend) => Notices;

/** members read per page when looking for those holding a role */
const MEMBER_PAGE = 200;
/** pages read at most (a tenant's first 2,000 members): an event's audience is a few people */
const MEMBER_PAGES = 10;

/**
 * The notices of a request's or job's tenant, with the adapters the function entries bind (the
 * same as watchlist alerts': the notifier, each user's channels per kind).
 */
export const noticesFor =
  (adapters: NotificationAdapters): NoticesFor =>
  (b: Backend): Notices => {
    if (!b.scope) throw new Error('notices need a tenant in their request or job');
    const tenantId = b.scope.tenantId;
    let notifier: Notifier | undefined;
    let store: DynamoNotificationStore | undefined;
    const notifications = () => {
      store ??= new DynamoNotificationStore(b.db, dataTableOf(b), tenantId);
      return store;
    };
    const deps = () => ({
      tenantId,
      notifications: notifications(),
      notifier: () => {
        notifier ??= adapters.notifier(b);
        return notifier;
      },
      channelsFor: adapters.channelsFor?.(b) ?? defaultChannels,
      now: b.now,
    });
    const tenancy = b.platform.tenancy;

    const recipients = async (audience: Audience): Promise<string[]> => {
      const out: string[] = [];
      const add = (userId: string) => {
        if (out.length < MAX_RECIPIENTS && !out.includes(userId)) out.push(userId);
      };
      for (const userId of audience.users ?? []) {
        if (userId && !out.includes(userId) && (await tenancy.getMember(tenantId, userId))) add(userId);
      }
      const roles = audience.roles ?? [];
      let cursor: string | undefined;
      for (let page = 0; roles.length && out.length < MAX_RECIPIENTS && page < MEMBER_PAGES; page++) {
        const members = await tenancy.listMembers(tenantId, { limit: MEMBER_PAGE, ...(cursor ? { cursor } : {}) });
        for (const member of members.items) if (member.roles.some((r) => roles.includes(r))) add(member.userId);
        if (!members.nextCursor) break;
        cursor = members.nextCursor;
      }
      return out;
    };
    const stage = (uow: UnitOfWork, userIds: readonly string[], notice: Notice) =>
      stageNotifications(deps(), uow, userIds, notice);

    return {
      recipients,
      stage,
      tell: async (uow, audience, notice) => stage(uow, await recipients(audience), notice),
      deliver: async (records) => {
        if (!records.length) return;
        try {
          await deliverAll(deps(), records);
        } catch {
          // recording a channel's outcome failed: the notification stays listed, its delivery pending
        }
      },
    };
  };
