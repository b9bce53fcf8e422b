import { describe, expect, it } from 'vitest';
import { AppError, toProblem } from '../errors.js';
import { AwsSecretResolver } from './resolver.js';

// registry-secrets.test.ts says "without leaking the secret id" but asserted nothing about it:
// these tests do. A refusal names neither the secret's id, nor its value, nor what the SDK said.

const REF = 'tenants/t_acme/broker-api-key-7f3a';
const VALUE = 'sk_live_0123456789abcdef';

async function refusal(resolver: AwsSecretResolver): Promise<AppError> {
  try {
    await resolver.resolve(REF);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected the resolver to refuse');
}

function expectNoLeak(err: AppError, ...secrets: string[]) {
  const shown = JSON.stringify(toProblem(err, 'req-1'));
  for (const s of [REF, VALUE, ...secrets]) {
    expect(err.message).not.toContain(s);
    expect(shown).not.toContain(s);
  }
}

describe('secret resolver refusals leak nothing', () => {
  it('a fetch failure → 503 SECRET_UNAVAILABLE naming the error kind only', async () => {
    const sdkMessage = `Secrets Manager can't find the specified secret ${REF} (value ${VALUE})`;
    const fetcher = async () => {
      throw Object.assign(new Error(sdkMessage), { name: 'ResourceNotFoundException' });
    };
    const err = await refusal(
      new AwsSecretResolver(
        () => fetcher,
        () => 0,
      ),
    );
    expect(err).toMatchObject({ status: 503, code: 'SECRET_UNAVAILABLE' });
    expect(err.message).toContain('ResourceNotFoundException');
    expectNoLeak(err, sdkMessage, "can't find");
  });

  it('a secret without a string value → 503 SECRET_UNAVAILABLE, the id not named', async () => {
    const err = await refusal(
      new AwsSecretResolver(
        () => async () => undefined,
        () => 0,
      ),
    );
    expect(err).toMatchObject({ status: 503, code: 'SECRET_UNAVAILABLE' });
    expectNoLeak(err);
  });

  it('a function built without the fetcher → 503 SECRETS_NOT_LINKED, the id not named', async () => {
    const err = await refusal(
      new AwsSecretResolver(
        () => undefined,
        () => 0,
      ),
    );
    expect(err).toMatchObject({ status: 503, code: 'SECRETS_NOT_LINKED' });
    expectNoLeak(err);
  });

  it('a value is fetched once and served from the cache, and a failure is not cached', async () => {
    let calls = 0;
    let fail = true;
    const fetcher = async () => {
      calls++;
      if (fail) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      return VALUE;
    };
    const r = new AwsSecretResolver(
      () => fetcher,
      () => 0,
    );
    await expect(r.resolve(REF)).rejects.toMatchObject({ code: 'SECRET_UNAVAILABLE' });
    fail = false;
    expect(await r.resolve(REF)).toBe(VALUE);
    expect(await r.resolve(REF)).toBe(VALUE);
    expect(calls).toBe(2);
  });
});
