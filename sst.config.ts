import type { SSTConfig } from 'sst';
import { APP_NAME, DEFAULT_REGION } from './stacks/config.js';
import { composeStacks } from './stacks/index.js';

/**
 * Ballast on AWS: `npm run deploy -- --stage NAME` (needs AWS credentials), or read what would be
 * deployed offline with `npm run synth -- --stage NAME`. The stacks live in stacks/.
 */
export default {
  config(input) {
    return {
      name: APP_NAME,
      region: input.region ?? process.env.AWS_REGION ?? DEFAULT_REGION,
    };
  },
  stacks(app) {
    composeStacks(app);
  },
} satisfies SSTConfig;
