import { boundWatchlistsPorts as ports } from '@ballast/adapters/watchlists-ports.js';
import { runAlertCheck } from '@ballast/app/watchlists/handlers.js';
import { jobs } from '@ballast/app/watchlists/jobs.js';
import { job } from '@ballast/platform/jobs/worker.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';

export const handler = job(jobs.alertCheck, runAlertCheck, { ports, secrets });
