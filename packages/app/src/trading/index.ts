export { routes as tradingRoutes } from './routes.js';
export { jobs as tradingJobs } from './jobs.js';
export type { Broker, BrokerFactory, BrokerRegistry } from './broker.js';
export {
  allocationGateFor,
  loadAccount,
  type PlaceOptions,
  type PlannedTrade,
  placeOrder,
  type TradingDeps,
} from './execution.js';
export { tradingDeps } from './handlers.js';
export { type BudgetChange, currentSettings, stageStrategyBudget } from './settings.js';
export { type TradingPorts, tradingPorts } from './ports.js';
export type { Account, JournalEntry, Order, TradingStore } from './store.js';
export {
  collectJournal,
  eraseJournalOf,
  journalErasureStep,
  journalExportSection,
} from './personal-data.js';
export { DynamoTradingStore } from './store.dynamo.js';
export type { AllocationContext } from './gate.js';
export { ACCOUNT_ID } from './ids.js';
export { order as orderSchema, positiveDecimal } from './schemas.js';
export { LIVE_TRADING } from './flags.js';
