export { routes as opsRoutes } from './routes.js';
export { jobs as opsJobs } from './jobs.js';
export { ARCHIVE_RUN_HOUR_UTC, nextArchiveRun, scheduleArchiveRuns } from './archive-schedule.js';
export { ARCHIVE_RETENTION_DAYS } from './archive.js';
