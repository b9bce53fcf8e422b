export { routes as automationRoutes } from './routes.js';
export { jobs as automationJobs } from './jobs.js';
export { automationPorts, automationStore } from './ports.js';
export { createDraftPlaybook, type DraftDeps, type PlaybookInput } from './playbooks.js';
export type { AutomationStore, Cycle, Playbook, PlaybookStatus } from './store.js';
export { PLAYBOOK_ID } from './ids.js';
