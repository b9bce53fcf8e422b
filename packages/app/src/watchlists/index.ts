/** What other contexts, the function entries and the local runtime may use of watchlists and notifications. */
export { routes as watchlistsRoutes } from './routes.js';
export { jobs as watchlistsJobs } from './jobs.js';
export { type NotificationAdapters, type WatchlistsPorts, watchlistsPorts } from './ports.js';
export { ALERT_CHECK_JOB, alertMoves, scheduleAlertCheck } from './alerts.js';
export {
  type Channel,
  type ChannelsFor,
  defaultChannels,
  type NotificationKind,
  type NotificationRequest,
  type Notifier,
  type NotifyDeps,
  MAX_RECIPIENTS,
  notify,
  type OutboundNotification,
} from './notifications.js';
export { type Audience, type Notice, type Notices, type NoticesFor, noticesFor } from './notices.js';
export { DynamoNotificationStore } from './store.dynamo.js';
export type { NotificationRecord, NotificationStore } from './store.js';
export {
  collectWatchlists,
  type ErasureBudget,
  eraseWatchlistsOf,
  watchlistsErasureStep,
  watchlistsExportSection,
  type WatchlistsErased,
} from './personal-data.js';
