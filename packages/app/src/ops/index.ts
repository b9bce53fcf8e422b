export { routes as opsRoutes } from './routes.js';
