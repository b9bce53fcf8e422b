import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import { type Backend, dataTableOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { type PriceSource, priceSource, type ProviderRegistry } from '../market-data/index.js';
import { type ChannelsFor, defaultChannels, type Notifier } from './notifications.js';
import { DynamoNotificationStore, DynamoWatchlistStore } from './store.dynamo.js';

/** What the function entries bind for notifications: the adapters, and where a user's channel choice comes from. */
export interface NotificationAdapters {
  notifier(b: Backend): Notifier;
  /** absent: e-mail for every kind (`defaultChannels`) */
  channelsFor?(b: Backend): ChannelsFor;
}

function tenantScopeOf(b: Backend): { tenantId: string; env: string } {
  if (!b.scope) throw new Error('watchlists need a tenant in their request or job');
  return { tenantId: b.scope.tenantId, env: b.scope.env };
}

/**
 * The tenant's watchlists and notifications (its data table, pooled or silo), its prices (asked
 * for only by the routes and the job that show or check them), the notifier and the members of
 * the tenant (a share goes to members only). Everything is keyed by the verified tenant.
 */
export const watchlistsPorts = (providers: ProviderRegistry, adapters: NotificationAdapters) => (b: Backend) => {
  const scope = tenantScopeOf(b);
  const table = dataTableOf(b);
  let prices: PriceSource | undefined;
  let notifier: Notifier | undefined;
  return {
    scope,
    watchlists: new DynamoWatchlistStore(b.db, table, scope.tenantId),
    notifications: new DynamoNotificationStore(b.db, table, scope.tenantId),
    /** the tenant's price source (market data's: quote cache → provider → stored closes) */
    prices(): PriceSource {
      prices ??= priceSource(b, providers);
      return prices;
    },
    notifier(): Notifier {
      notifier ??= adapters.notifier(b);
      return notifier;
    },
    channelsFor: adapters.channelsFor?.(b) ?? defaultChannels,
    /** whether a user is a member of this tenant (the control plane's membership record) */
    async isMember(userId: string): Promise<boolean> {
      return Boolean(await b.platform.tenancy.getMember(scope.tenantId, userId));
    },
    /** the alert check's next run, committed with the change that makes it due */
    due: b.platform.due,
  };
};

export type WatchlistsPorts = ReturnType<ReturnType<typeof watchlistsPorts>>;
export type WatchlistsHandler<D extends RouteSpec> = RouteHandler<D, WatchlistsPorts>;
export type WatchlistsJobHandler<D extends JobSpec> = JobHandler<D, WatchlistsPorts>;
