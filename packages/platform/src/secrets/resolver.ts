import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BoundedCache, CACHE_LIMITS } from '../config/caches.js';
import { unavailable } from '../errors.js';

/** One resolver for every secret: Secrets Manager in the cloud, a local file store locally. */
export interface SecretResolver {
  resolve(ref: string): Promise<string>;
}

/** Reads one secret's string value from the store (Secrets Manager in the cloud). */
export type SecretFetcher = (ref: string) => Promise<string | undefined>;

let linked: SecretFetcher | undefined;

/**
 * Links the Secrets Manager fetcher into this process. Only Lambdas whose routes declare
 * `uses.secrets` do so (`route(id, fn, { secrets: secretsManagerFetcher })`), so the SDK client
 * stays out of every other bundle and its cold start.
 */
export function linkSecretFetcher(fetch: SecretFetcher): void {
  linked = fetch;
}

export function linkedSecretFetcher(): SecretFetcher | undefined {
  return linked;
}

/**
 * Secrets Manager with an in-process cache (default 5 minutes, a bounded number of secrets) so hot
 * paths do not call AWS.
 */
export class AwsSecretResolver implements SecretResolver {
  private readonly cache: BoundedCache<string, string>;
  constructor(
    private readonly fetcher: () => SecretFetcher | undefined,
    now: () => number,
    ttlMs: number = CACHE_LIMITS.secrets.ttlMs,
  ) {
    this.cache = new BoundedCache({ max: CACHE_LIMITS.secrets.max, ttlMs }, now);
  }

  async resolve(ref: string): Promise<string> {
    const hit = this.cache.get(ref);
    if (hit !== undefined) return hit;
    const fetch = this.fetcher();
    if (!fetch) throw unavailable('SECRETS_NOT_LINKED', 'This function was not built with access to secrets');
    let value: string | undefined;
    try {
      value = await fetch(ref);
    } catch (e) {
      const name = (e as { name?: string }).name ?? 'Error';
      throw unavailable('SECRET_UNAVAILABLE', `Secret could not be resolved (${name})`);
    }
    if (value === undefined) throw unavailable('SECRET_UNAVAILABLE', 'Secret has no string value');
    this.cache.set(ref, value);
    return value;
  }
}

/** Local runtime store: `<dir>/secrets.json`, a map of ref → value. */
export class LocalSecretResolver implements SecretResolver {
  constructor(private readonly dir: string) {}

  private file() {
    return join(this.dir, 'secrets.json');
  }

  async all(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.file(), 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  async resolve(ref: string): Promise<string> {
    const v = (await this.all())[ref];
    if (v === undefined) throw unavailable('SECRET_UNAVAILABLE', `Secret ${ref} is not in the local store`);
    return v;
  }

  async put(ref: string, value: string): Promise<void> {
    const all = await this.all();
    all[ref] = value;
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.file(), JSON.stringify(all, null, 2), { mode: 0o600 });
  }
}
