import type { App } from 'sst/constructs';
import { Api } from './Api.js';
import { Auth } from './Auth.js';
import { assertStageName, isProdLike } from './config.js';
import { Data } from './Data.js';

/**
 * Composes the Ballast stacks on an SST app. sst.config.ts, scripts/synth.ts and the infra tests
 * all call this, so what is tested is what is deployed.
 */
export function composeStacks(app: App): void {
  assertStageName(app.stage);
  // Throw-away stages leave nothing behind; prod-like stages keep what is not explicitly RETAINed
  // by the stacks too (log groups, the alarm topic).
  if (!isProdLike(app.stage)) app.setDefaultRemovalPolicy('destroy');
  app.stack(Data).stack(Auth).stack(Api);
}

export { Api, Auth, Data };
