import { badRequest } from '../errors.js';
import { ENVS, type Env } from './types.js';

/** Common spellings of the envs; a Map, so `__proto__` or `constructor` is no alias of anything. */
const ALIASES = new Map<string, Env>([
  ['development', 'dev'],
  ['develop', 'dev'],
  ['stage', 'staging'],
  ['stg', 'staging'],
  ['production', 'prod'],
  ['prd', 'prod'],
]);

/** X-Env, normalised (trimmed, lower-cased, common aliases); absent → the deployment's env. */
export function resolveEnv(header: string | undefined, fallback: Env): Env {
  if (header === undefined || header.trim() === '') return fallback;
  const v = header.trim().toLowerCase();
  if ((ENVS as readonly string[]).includes(v)) return v as Env;
  const alias = ALIASES.get(v);
  if (alias) return alias;
  throw badRequest('INVALID_ENV', `X-Env must be one of ${ENVS.join('|')}`, [
    { path: 'headers.x-env', message: `is not one of ${ENVS.join('|')} (or an alias such as production)` },
  ]);
}
