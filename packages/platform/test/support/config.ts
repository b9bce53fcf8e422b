import type { BootstrapConfig } from '../../src/config/bootstrap.js';

/** Bootstrap settings for a test platform over DynamoDB Local (or a dead endpoint). */
export function testConfig(controlTable: string, overrides: Partial<BootstrapConfig> = {}): BootstrapConfig {
  return {
    controlTable,
    region: 'local',
    bootstrapSecretRef: 'x',
    defaultEnv: 'dev',
    secretsBackend: 'local',
    localSecretsDir: '/nonexistent',
    stage: 'test',
    logLevel: 'ERROR',
    ...overrides,
  };
}
