export { routes as portfolioRoutes } from './routes.js';
export type { Portfolio, PortfolioStore } from './store.js';
export type { LedgerStore } from './ledger-store.js';
export type { TransactionBody } from './ledger-schemas.js';
export { newPortfolioId } from './ids.js';
export { livePortfolio, openingBook, planTransaction, type PlannedTransaction, withRetries } from './ledger-service.js';
export { portfolioPorts } from './ports.js';
export { currency } from './schemas.js';
