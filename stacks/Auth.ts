import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
} from 'aws-cdk-lib/aws-cognito';
import type { StackContext } from 'sst/constructs';
import { OUTPUTS, isProdLike, stageNames } from './config.js';

/** Token lifetimes are part of the contract (SPEC §1): access 30 min, refresh 14 days. */
export const TOKEN_VALIDITY = { accessMinutes: 30, idMinutes: 30, refreshDays: 14 } as const;

/**
 * Cognito issues the JWTs; Ballast verifies them (aws-jwt-verify) with the issuer and client id it
 * reads from the tenant's `identity` routing entry, which scripts/seed-stage.ts writes from this
 * stack's outputs. Nothing here goes into a function's environment; the pool's ARN is in the
 * notifying functions' roles only (`cognito-idp:AdminGetUser`: a recipient's verified e-mail).
 */
export function Auth({ stack }: StackContext) {
  const stage = stack.stage;
  const prodLike = isProdLike(stage);

  const userPool = new UserPool(stack, 'UserPool', {
    userPoolName: stageNames(stage).userPool,
    // Lite covers email sign-in, TOTP MFA and token revocation: the cheapest plan per MAU.
    featurePlan: FeaturePlan.LITE,
    selfSignUpEnabled: true,
    signInAliases: { email: true },
    signInCaseSensitive: false,
    autoVerify: { email: true },
    standardAttributes: { email: { required: true, mutable: true } },
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(3),
    },
    mfa: Mfa.OPTIONAL,
    mfaSecondFactor: { otp: true, sms: false },
    accountRecovery: AccountRecovery.EMAIL_ONLY,
    // Set by an admin call when a user joins a tenant; users cannot write it (see writeAttributes).
    customAttributes: { tenant_id: new StringAttribute({ minLen: 2, maxLen: 63, mutable: true }) },
    deletionProtection: prodLike,
    removalPolicy: prodLike ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  const client = userPool.addClient('AppClient', {
    userPoolClientName: `ballast-${stage}-app`,
    generateSecret: false,
    authFlows: { userSrp: true },
    disableOAuth: true,
    accessTokenValidity: Duration.minutes(TOKEN_VALIDITY.accessMinutes),
    idTokenValidity: Duration.minutes(TOKEN_VALIDITY.idMinutes),
    refreshTokenValidity: Duration.days(TOKEN_VALIDITY.refreshDays),
    enableTokenRevocation: true,
    preventUserExistenceErrors: true,
    readAttributes: new ClientAttributes()
      .withStandardAttributes({ email: true, emailVerified: true })
      .withCustomAttributes('tenant_id'),
    writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
  });

  const issuer = `https://cognito-idp.${stack.region}.amazonaws.com/${userPool.userPoolId}`;

  new CfnOutput(stack, OUTPUTS.userPoolId, { value: userPool.userPoolId });
  new CfnOutput(stack, OUTPUTS.userPoolClientId, { value: client.userPoolClientId });
  new CfnOutput(stack, OUTPUTS.issuer, { value: issuer });

  return { userPool, client, issuer };
}
