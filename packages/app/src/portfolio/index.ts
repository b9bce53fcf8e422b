export { routes as portfolioRoutes } from './routes.js';
export type { Portfolio } from './store.js';
