import type { Notifier, OutboundNotification } from '@ballast/app/watchlists/notifications.js';

export interface OutboxEntry extends OutboundNotification {
  messageId: string;
  sentAt: string;
}

/** Most messages the local outbox keeps (oldest dropped first): a long `npm start` stays small. */
const KEEP = 1000;

/**
 * The local runtime's stand-in for SES and SNS: every message on every channel is kept in
 * memory, in order, and served at `GET /_local/outbox`. One per process, as the runtime's
 * functions run in the runtime's own process.
 */
export class LocalOutbox implements Notifier {
  private readonly entries: OutboxEntry[] = [];
  private sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async send(message: OutboundNotification): Promise<{ messageId: string }> {
    const messageId = `local-${++this.sequence}`;
    this.entries.push({ ...message, messageId, sentAt: new Date(this.now()).toISOString() });
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
    return { messageId };
  }

  /** oldest first; only a tenant's (and one user's) when named */
  list(filter: { tenantId?: string; userId?: string } = {}): OutboxEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.tenantId === undefined || e.tenantId === filter.tenantId) &&
        (filter.userId === undefined || e.userId === filter.userId),
    );
  }
}

export const localOutbox = new LocalOutbox();
