export { routes as planningRoutes } from './routes.js';
export type { Assignment, Category, Exclusion, PlanningStore } from './store.js';
export { categoryOfSymbol, exclusionOf } from './lookups.js';
export { planningPorts, pricedPlanningPorts } from './ports.js';
