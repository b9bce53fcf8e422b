export { routes as researchRoutes } from './routes.js';
export { optimisationPorts, researchPorts } from './ports.js';
export { type OptimisationStarter, startOptimisationFrom } from './optimisation-handlers.js';
export { optimisationWinner } from './optimisation.js';
/** every strategy's name (core's registry): what other contexts may name, e.g. a user's favourites */
export { STRATEGY_IDS } from './schemas.js';
