import { MARKET_DATA_PROVIDERS as providers } from '@ballast/adapters/market-data/index.js';
import { runSync } from '@ballast/app/market-data/handlers.js';
import { jobs } from '@ballast/app/market-data/jobs.js';
import { marketDataPorts as ports } from '@ballast/app/market-data/ports.js';
import { job } from '@ballast/platform/jobs/worker.js';
import { secretsManagerFetcher } from '@ballast/platform/secrets/secrets-manager.js';

export const handler = job(jobs.sync, runSync, { ports: ports(providers), secrets: secretsManagerFetcher });
