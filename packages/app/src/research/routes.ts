import { routes as backtestRoutes } from './backtest-routes.js';
import { routes as optimisationRoutes } from './optimisation-routes.js';
import { routes as strategyRoutes } from './strategy-routes.js';

/**
 * The research context's route table: one slice a file (strategies and signals, backtests,
 * optimisations), merged here so the route stack, the router and the entries read one table.
 */
export const routes = {
  ...strategyRoutes,
  ...backtestRoutes,
  ...optimisationRoutes,
};
