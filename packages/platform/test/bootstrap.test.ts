import { describe, expect, it } from 'vitest';
import { parseBootstrapConfig } from '../src/config/bootstrap.js';

describe('bootstrap settings', () => {
  it('refuses to start and lists every missing setting at once', () => {
    let msg = '';
    try {
      parseBootstrapConfig({});
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('refuses to start');
    expect(msg).toContain('BALLAST_CONTROL_TABLE is not set');
    expect(msg).toContain('AWS_REGION is not set');
    expect(msg).toContain('BALLAST_BOOTSTRAP_SECRET is not set');
  });

  it('rejects invalid values and needs a directory for the local secret store', () => {
    expect(() =>
      parseBootstrapConfig({
        BALLAST_CONTROL_TABLE: 'c',
        AWS_REGION: 'eu-west-1',
        BALLAST_BOOTSTRAP_SECRET: 's',
        BALLAST_ENV: 'moon',
      }),
    ).toThrow(/BALLAST_ENV/);
    expect(() =>
      parseBootstrapConfig({
        BALLAST_CONTROL_TABLE: 'c',
        AWS_REGION: 'eu-west-1',
        BALLAST_BOOTSTRAP_SECRET: 's',
        BALLAST_SECRETS_BACKEND: 'local',
      }),
    ).toThrow(/BALLAST_LOCAL_SECRETS_DIR/);
  });

  it('parses a complete cloud configuration with defaults', () => {
    const c = parseBootstrapConfig({
      BALLAST_CONTROL_TABLE: 'ballast-prod-control',
      AWS_REGION: 'eu-west-1',
      BALLAST_BOOTSTRAP_SECRET: 'arn:secret',
      BALLAST_ENV: 'PROD',
      BALLAST_STAGE: 'prod',
    });
    expect(c).toMatchObject({
      controlTable: 'ballast-prod-control',
      region: 'eu-west-1',
      defaultEnv: 'prod',
      secretsBackend: 'aws',
      stage: 'prod',
      logLevel: 'INFO',
    });
    expect(c.dynamoEndpoint).toBeUndefined();
  });
});
