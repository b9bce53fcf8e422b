import { boundTradingPorts as ports } from '@ballast/adapters/trading-ports.js';
import { syncOrders } from '@ballast/app/trading/handlers.js';
import { jobs } from '@ballast/app/trading/jobs.js';
import { job } from '@ballast/platform/jobs/worker.js';
import { secretsManagerFetcher as secrets } from '@ballast/platform/secrets/secrets-manager.js';

export const handler = job(jobs.orderSync, syncOrders, { ports, secrets });
