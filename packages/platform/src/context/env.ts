import { badRequest } from '../errors.js';
import { ENVS, type Env } from './types.js';

const ALIASES: Record<string, Env> = {
  development: 'dev',
  develop: 'dev',
  stage: 'staging',
  stg: 'staging',
  production: 'prod',
  prd: 'prod',
};

/** X-Env, normalised (trimmed, lower-cased, common aliases); absent → the deployment's env. */
export function resolveEnv(header: string | undefined, fallback: Env): Env {
  if (header === undefined || header.trim() === '') return fallback;
  const v = header.trim().toLowerCase();
  if ((ENVS as readonly string[]).includes(v)) return v as Env;
  if (ALIASES[v]) return ALIASES[v];
  throw badRequest('INVALID_ENV', `X-Env must be one of ${ENVS.join('|')}`, [
    { path: 'headers.x-env', message: `unknown env '${header.slice(0, 20)}'` },
  ]);
}
