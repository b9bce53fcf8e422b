export { routes as researchRoutes } from './routes.js';
export { researchPorts } from './ports.js';
