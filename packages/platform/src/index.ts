export * from './errors.js';
export * from './context/types.js';
export * from './routes/types.js';
export { ROUTES, routeById } from './routes/table.js';
