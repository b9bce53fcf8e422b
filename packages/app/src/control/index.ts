/** What other contexts and the local seed may use of the control plane. */
export { systemRecords } from './service.js';
export { routes as controlRoutes } from './routes.js';
export { leaveTenant, type LeaveDeps } from './membership.js';
