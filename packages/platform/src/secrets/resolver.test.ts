import { describe, expect, it } from 'vitest';
import { CACHE_LIMITS } from '../config/caches.js';
import { AwsSecretResolver, type SecretFetcher } from './resolver.js';

describe('AwsSecretResolver cache: bounded', () => {
  it('holds at most its cap of secrets: the least recently used is fetched again, the rest are not', async () => {
    const fetched: string[] = [];
    const fetcher: SecretFetcher = async (ref) => {
      fetched.push(ref);
      return `value of ${ref}`;
    };
    const resolver = new AwsSecretResolver(
      () => fetcher,
      () => 0,
    );
    const cap = CACHE_LIMITS.secrets.max;
    for (let i = 0; i <= cap; i++) expect(await resolver.resolve(`ref-${i}`)).toBe(`value of ref-${i}`);
    expect(fetched).toHaveLength(cap + 1);
    await resolver.resolve(`ref-${cap}`); // the newest: cached
    expect(fetched).toHaveLength(cap + 1);
    await resolver.resolve('ref-0'); // the oldest was pushed out
    expect(fetched).toHaveLength(cap + 2);
  });
});
