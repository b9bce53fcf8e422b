import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { unavailable } from '../errors.js';

/** One resolver for every secret: Secrets Manager in the cloud, a local file store locally. */
export interface SecretResolver {
  resolve(ref: string): Promise<string>;
}

/** Secrets Manager with an in-process cache (default 5 minutes) so hot paths do not call AWS. */
export class AwsSecretResolver implements SecretResolver {
  private cache = new Map<string, { at: number; value: string }>();
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly now: () => number,
    private readonly ttlMs = 300_000,
  ) {}

  async resolve(ref: string): Promise<string> {
    const hit = this.cache.get(ref);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    let value: string | undefined;
    try {
      const res = await this.client.send(new GetSecretValueCommand({ SecretId: ref }));
      value = res.SecretString;
    } catch (e) {
      const name = (e as { name?: string }).name ?? 'Error';
      throw unavailable('SECRET_UNAVAILABLE', `Secret could not be resolved (${name})`);
    }
    if (value === undefined) throw unavailable('SECRET_UNAVAILABLE', 'Secret has no string value');
    this.cache.set(ref, { at: this.now(), value });
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
