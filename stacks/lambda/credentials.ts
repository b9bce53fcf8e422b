/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (see stacks/bundling.ts). In Lambda the
 * execution role's credentials are always in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and the default chain would take them from there
 * first anyway; the rest of the chain (SSO, INI files, IMDS, STS web identity, with their nested
 * clients) is ~110 KB of code a function never runs.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
