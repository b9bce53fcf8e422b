import { CfnOutput, Duration, Fn } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { OAuthScope, UserPoolClient, UserPoolClientIdentityProvider, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { StaticSite, type StackContext, use } from 'sst/constructs';
import type { ApiOutputs } from './Api.js';
import { Auth, TOKEN_VALIDITY } from './Auth.js';
import { OUTPUTS } from './config.js';

/** The Cognito hosted UI's domain prefix of a stage (`<prefix>.auth.<region>.amazoncognito.com`). */
export const consoleDomainPrefix = (stage: string) => `ballast-${stage}-console`;

/** Where the console reads its stage's settings at start (written by this stack, next to the site). */
export const CONSOLE_CONFIG_KEY = 'console-config.json';

/**
 * The console (packages/web) as a static site: S3 behind CloudFront (SST's StaticSite), with the
 * API behind the same distribution at `/v1/*` — one origin, so the browser needs no CORS and the
 * API's allowed origins need not know the distribution's name. Sign-in is the Cognito hosted UI
 * (authorisation code + PKCE) with a client of its own, which scripts/seed-stage.ts adds to each
 * tenant's accepted client ids.
 *
 * The hosted UI must know the console's URL (callback) and the console its client id: the client
 * is made after the distribution, and the id reaches the console as `console-config.json`, written
 * after the site's files (SST's upload removes files it did not upload, so the config is written
 * again on every deploy).
 */
export function consoleStack(Api: (ctx: StackContext) => ApiOutputs) {
  return function Console({ stack }: StackContext) {
    const { userPool } = use(Auth);
    const { api } = use(Api);
    const apiDomain = Fn.select(2, Fn.split('/', api.url));
    const hostedUi = `https://${consoleDomainPrefix(stack.stage)}.auth.${stack.region}.amazoncognito.com`;

    const headers = new ResponseHeadersPolicy(stack, 'ConsoleHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            `connect-src 'self' ${hostedUi}; font-src 'self'; object-src 'none'; base-uri 'none'; ` +
            "frame-ancestors 'none'; form-action 'self'",
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
      },
    });

    const site = new StaticSite(stack, 'Console', {
      path: 'packages/web',
      // its own output folder: a test run serves packages/web/dist while the infra test synthesises
      buildCommand: 'npx vite build --outDir dist-stage',
      buildOutput: 'dist-stage',
      vite: { types: 'sst-env.d.ts' },
      assets: {
        fileOptions: [{ files: 'assets/**', cacheControl: 'public,max-age=31536000,immutable' }],
      },
      cdk: {
        distribution: {
          // hash routing: no path needs index.html instead of a 404, and an API 404 must stay one
          errorResponses: [],
          defaultBehavior: { responseHeadersPolicy: headers },
          additionalBehaviors: {
            '/v1/*': {
              origin: new HttpOrigin(apiDomain),
              viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
              allowedMethods: AllowedMethods.ALLOW_ALL,
              cachePolicy: CachePolicy.CACHING_DISABLED,
              // every viewer header (Authorization, X-Project-Id, Idempotency-Key, If-Match) but Host
              originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            },
          },
        },
      },
    });

    const consoleUrl = site.url ?? '';
    // made in this stack (not with userPool.addClient, which would put them in Auth: Auth would then
    // need the distribution's name, and the distribution sits in this stack, after Auth)
    const domain = new UserPoolDomain(stack, 'ConsoleDomain', {
      userPool,
      cognitoDomain: { domainPrefix: consoleDomainPrefix(stack.stage) },
    });
    const client = new UserPoolClient(stack, 'ConsoleClient', {
      userPool,
      userPoolClientName: `ballast-${stack.stage}-console`,
      generateSecret: false,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${consoleUrl}/`],
        logoutUrls: [`${consoleUrl}/`],
      },
      accessTokenValidity: Duration.minutes(TOKEN_VALIDITY.accessMinutes),
      idTokenValidity: Duration.minutes(TOKEN_VALIDITY.idMinutes),
      refreshTokenValidity: Duration.days(TOKEN_VALIDITY.refreshDays),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });

    if (site.cdk?.bucket && site.cdk.distribution) {
      const config = new BucketDeployment(stack, 'ConsoleConfig', {
        destinationBucket: site.cdk.bucket,
        prune: false,
        sources: [
          Source.jsonData(CONSOLE_CONFIG_KEY, {
            apiUrl: '',
            auth: { kind: 'cognito', domain: domain.baseUrl(), clientId: client.userPoolClientId },
            // a new value each synthesis, so this runs after every upload of the site's files
            writtenAt: new Date().toISOString(),
          }),
        ],
        cacheControl: [],
      });
      config.node.addDependency(site.cdk.distribution);
    }

    new CfnOutput(stack, OUTPUTS.consoleUrl, { value: consoleUrl || 'not deployed in this mode' });
    new CfnOutput(stack, OUTPUTS.consoleClientId, { value: client.userPoolClientId });
    return { site, client };
  };
}
