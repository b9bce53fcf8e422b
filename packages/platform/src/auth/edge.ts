import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { AppError } from '../errors.js';
import { platform as defaultPlatform, type Platform } from '../platform.js';
import { authenticateHeaders } from './credentials.js';

export type EdgeResult = APIGatewaySimpleAuthorizerWithContextResult<Record<string, string>>;

/**
 * API Gateway HTTP API request authorizer (payload 2.0, simple responses). It applies the same
 * credential rules as the route pipeline — bearer JWT via the registry's identity entries plus
 * revocation, or an API key — so bad credentials stop at the edge. The handlers still check
 * membership, tier and limits: the edge is defence in depth.
 */
export function edgeAuthorizer(getPlatform: () => Platform = defaultPlatform) {
  return async (event: APIGatewayRequestAuthorizerEventV2): Promise<EdgeResult> => {
    const p = getPlatform();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    try {
      const a = await authenticateHeaders(p, headers, p.now());
      return { isAuthorized: true, context: { principal: a.principal.id, kind: a.principal.kind } };
    } catch (e) {
      if (!(e instanceof AppError)) p.logger.error('authorizer failure', { error: e as Error });
      return { isAuthorized: false, context: {} };
    }
  };
}
