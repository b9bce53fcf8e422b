export { routes as tradingRoutes } from './routes.js';
export { jobs as tradingJobs } from './jobs.js';
export type { Broker, BrokerFactory, BrokerRegistry } from './broker.js';
export { type PlaceOptions, placeOrder, type TradingDeps } from './execution.js';
export type { AllocationContext } from './gate.js';
