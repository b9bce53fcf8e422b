import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { bootstrapConfig } from '../config/bootstrap.js';
import type { SecretFetcher } from './resolver.js';

let client: SecretsManagerClient | undefined;

/** AWS Secrets Manager as a secret fetcher; the client is built on first use and then reused. */
export const secretsManagerFetcher: SecretFetcher = async (ref) => {
  client ??= new SecretsManagerClient({ region: bootstrapConfig().region });
  const res = await client.send(new GetSecretValueCommand({ SecretId: ref }));
  return res.SecretString;
};
