import { DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { notificationChannels } from '../../packages/app/src/profile/index.js';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Issue 13, the profile context over HTTP: one user's preferences, theme, favourites, onboarding
 * (personal fields encrypted field by field), trading preferences, export and erasure. Every call
 * also proves no 500 (the runtime helper) and that a success matches its declared schema.
 */

let t: TestRuntime;
let raw: DynamoDBClient;
const lines: string[] = [];

/** What no stored item, log line or error body may ever hold: the personal fields in clear. */
const PERSONAL = {
  fullName: 'Ada Quartermain',
  dateOfBirth: '1980-01-31',
  phone: '+14155550123',
  taxId: 'TAX123456789',
};
const PLAINTEXTS = [PERSONAL.fullName, PERSONAL.dateOfBirth, PERSONAL.phone, PERSONAL.taxId, '123456789'];

const nowSeconds = () => Math.floor(t.rt.platform.now() / 1000);
const user = (sub: string) => t.token(sub, 't_demo');
/** a login an hour old: fine for reading and writing, not for dangerous actions */
const staleLogin = (sub: string) => t.token(sub, 't_demo', undefined, { authTime: nowSeconds() - 3600 });

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}
function expectField(res: CallResult, path: string) {
  expectStatus(res, 400);
  expect(
    (res.body.errors ?? []).map((e) => e.path),
    res.text,
  ).toContain(path);
}
const noPlaintext = (text: string) => {
  for (const p of PLAINTEXTS) expect(text, `plaintext ${p} found`).not.toContain(p);
};

async function scanAll(table: string): Promise<string> {
  const out: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const res = await raw.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of res.Items ?? []) out.push(JSON.stringify(item));
    start = res.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return out.join('\n');
}

async function profileItems(userId: string) {
  const res = await raw.send(
    new QueryCommand({
      TableName: t.rt.tables.pooled,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': { S: `TENANT#t_demo#USER#${userId}#PROFILE` } },
    }),
  );
  return res.Items ?? [];
}

beforeAll(async () => {
  t = await startRuntime();
  raw = new DynamoDBClient({
    region: 'local',
    endpoint: t.rt.dynamoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // every log line of the run, at INFO (the runtime logs at WARN by default), as logging-edge does
  t.rt.platform.logger = new Logger({ serviceName: 'ballast', logLevel: 'INFO' });
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (s.includes('"service":"ballast"')) {
      lines.push(s);
      return true;
    }
    return write(chunk, ...(rest as []));
  });
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  }
});
// each test a minute later on the runtime's clock: one user's many calls stay within its rate limit
beforeEach(() => t.rt.clock.set(t.rt.clock.now() + 61_000));
afterAll(async () => {
  vi.restoreAllMocks();
  raw?.destroy();
  await t.stop();
});

const preferencesBody = {
  display: { theme: 'dark', language: 'en-GB', timezone: 'Europe/London', chartType: 'line' },
  data: { refreshIntervalSeconds: 30, realTime: true },
  notifications: {
    'watchlist.alert': { email: false, push: true, sms: false },
    'risk.halt': { email: true, push: true, sms: true },
    'schedule.failed': { email: true, push: false, sms: false },
  },
  trading: { defaultOrderType: 'stop-limit', confirmOrders: false },
};

describe('preferences and theme: defaults at version 0, If-Match replaces, strict schemas', () => {
  it('GET answers the defaults (ETag "0"); PUT needs If-Match ("0" first), then the version it read', async () => {
    const token = await user('u_navigator');
    const first = await t.call('GET', '/v1/me/preferences', { token });
    expectStatus(first, 200);
    expect(first.headers.get('etag')).toBe('"0"');
    expect(first.body).toMatchObject({ version: 0, updatedAt: null, display: { theme: 'system' } });
    expectStatus(await t.call('PUT', '/v1/me/preferences', { token, body: preferencesBody }), 428, 'IF_MATCH_REQUIRED');
    expectStatus(
      await t.call('PUT', '/v1/me/preferences', { token, headers: { 'If-Match': '"3"' }, body: preferencesBody }),
      412,
    );
    const put = await t.call('PUT', '/v1/me/preferences', {
      token,
      headers: { 'If-Match': '"0"' },
      body: preferencesBody,
    });
    expectStatus(put, 200);
    expect(put.headers.get('etag')).toBe('"1"');
    expect(put.body).toMatchObject({ ...preferencesBody, version: 1 });
    const again = await t.call('PUT', '/v1/me/preferences', {
      token,
      headers: { 'If-Match': '"0"' },
      body: preferencesBody,
    });
    expectStatus(again, 412, 'VERSION_MISMATCH');
    expect((await t.call('GET', '/v1/me/preferences', { token })).body).toMatchObject({ version: 1 });
  });

  it('bad input is 400 naming the field; unknown fields are refused', async () => {
    const token = await user('u_navigator');
    const put = (body: unknown) => t.call('PUT', '/v1/me/preferences', { token, headers: { 'If-Match': '"1"' }, body });
    const display = preferencesBody.display;
    expectField(await put({ ...preferencesBody, extra: true }), 'body.extra');
    expectField(await put({ ...preferencesBody, display: { ...display, zz: 1 } }), 'body.display.zz');
    expectField(
      await put({ ...preferencesBody, display: { ...display, timezone: 'Mars/Olympus' } }),
      'body.display.timezone',
    );
    expectField(
      await put({ ...preferencesBody, display: { ...display, language: 'english!' } }),
      'body.display.language',
    );
    expectField(await put({ ...preferencesBody, display: { ...display, theme: 'neon' } }), 'body.display.theme');
    expectField(
      await put({ ...preferencesBody, data: { refreshIntervalSeconds: 1, realTime: true } }),
      'body.data.refreshIntervalSeconds',
    );
    expectField(
      await put({
        ...preferencesBody,
        notifications: { ...preferencesBody.notifications, 'risk.halt': { email: true } },
      }),
      'body.notifications.risk.halt.push',
    );
    expectField(
      await put({ ...preferencesBody, trading: { defaultOrderType: 'market-ish', confirmOrders: true } }),
      'body.trading.defaultOrderType',
    );
  });

  it('notificationChannels (other contexts’ notifications): the user’s channels, else the defaults', async () => {
    const p = t.rt.platform;
    const backend = {
      platform: p,
      ctx: undefined,
      scope: { tenantId: 't_demo', env: 'dev' },
      data: await p.registry.require('t_demo', 'dev', 'data'),
      db: p.db,
      requestId: 'test',
      now: p.now(),
    };
    expect(await notificationChannels(backend, 'u_navigator', 'watchlist.alert')).toEqual(['push']);
    expect(await notificationChannels(backend, 'u_navigator', 'risk.halt')).toEqual(['email', 'push', 'sms']);
    expect(await notificationChannels(backend, 'u_navigator', 'schedule.failed')).toEqual(['email']);
    // someone who never wrote preferences: the defaults
    expect(await notificationChannels(backend, 'u_sovereign', 'watchlist.alert')).toEqual(['email', 'push']);
  });

  it('theme: hex colours (#rgb or #rrggbb), fonts and layout; 400 naming the field', async () => {
    const token = await user('u_navigator');
    const base = await t.call('GET', '/v1/me/theme', { token });
    expectStatus(base, 200);
    expect(base.headers.get('etag')).toBe('"0"');
    const { version: _v, updatedAt: _u, ...body } = base.body;
    const colours = body.colours as Record<string, string>;
    const put = (b: unknown, tag = '"0"') =>
      t.call('PUT', '/v1/me/theme', { token, headers: { 'If-Match': tag }, body: b });
    expectField(await put({ ...body, colours: { ...colours, primary: 'blue' } }), 'body.colours.primary');
    expectField(await put({ ...body, colours: { ...colours, text: '#12345' } }), 'body.colours.text');
    expectField(
      await put({ ...body, fonts: { family: 'system', sizePx: 99, monospaceNumbers: true } }),
      'body.fonts.sizePx',
    );
    expectField(
      await put({ ...body, layout: { density: 'cosy', sidebar: 'left', dashboardColumns: 2 } }),
      'body.layout.density',
    );
    const ok = await put({ ...body, colours: { ...colours, primary: '#abc', accent: '#A1B2C3' } });
    expectStatus(ok, 200);
    expect(ok.body).toMatchObject({ version: 1, colours: { primary: '#abc', accent: '#A1B2C3' } });
  });

  it('another user of the same tenant sees only their own (the defaults)', async () => {
    const other = await user('u_operator');
    const prefs = await t.call('GET', '/v1/me/preferences', { token: other });
    expect(prefs.body).toMatchObject({ version: 0, display: { theme: 'system' } });
    expect((await t.call('GET', '/v1/me/theme', { token: other })).body).toMatchObject({ version: 0 });
    // and another tenant's user likewise
    const acme = await t.token('u_acme', 't_acme');
    expect((await t.call('GET', '/v1/me/preferences', { token: acme })).body).toMatchObject({ version: 0 });
  });

  it('an API key has no profile: 403 USER_REQUIRED', async () => {
    const key = await t.call('POST', '/v1/api-keys', {
      token: await user('u_admin'),
      headers: { 'X-Project-Id': 'p_demo' },
      body: { name: 'profile probe', tier: 'observer', roles: ['viewer'] },
    });
    expectStatus(key, 201);
    const res = await t.call('GET', '/v1/me/preferences', { apiKey: String(key.body.secret) });
    expectStatus(res, 403, 'USER_REQUIRED');
  });
});

describe('favourites', () => {
  it('strategies (known names only) and symbols: marked once, listed in pages, removed', async () => {
    const token = await user('u_navigator');
    expectField(await t.call('PUT', '/v1/me/favourites/strategies/noSuchThing', { token }), 'params.strategy');
    expectField(await t.call('PUT', '/v1/me/favourites/symbols/aapl', { token }), 'params.symbol');
    expectField(await t.call('PUT', '/v1/me/favourites/symbols/AAPL', { token, body: { note: 1 } }), 'body.note');
    const trend = await t.call('PUT', '/v1/me/favourites/strategies/trend', { token });
    expectStatus(trend, 200);
    expect(trend.body).toMatchObject({ kind: 'strategy', name: 'trend' });
    const twice = await t.call('PUT', '/v1/me/favourites/strategies/trend', { token, body: {} });
    expect(twice.body).toEqual(trend.body);
    for (const symbol of ['MSFT', 'AAPL']) {
      expectStatus(await t.call('PUT', `/v1/me/favourites/symbols/${symbol}`, { token }), 200);
    }
    const all = await t.call('GET', '/v1/me/favourites', { token });
    expect((all.body.items ?? []).map((f) => `${f.kind}:${f.name}`)).toEqual([
      'strategy:trend',
      'symbol:AAPL',
      'symbol:MSFT',
    ]);
    const first = await t.call('GET', '/v1/me/favourites?kind=symbol&limit=1', { token });
    expect((first.body.items ?? []).map((f) => f.name)).toEqual(['AAPL']);
    const next = await t.call('GET', `/v1/me/favourites?kind=symbol&limit=1&cursor=${first.body.nextCursor}`, {
      token,
    });
    expect((next.body.items ?? []).map((f) => f.name)).toEqual(['MSFT']);
    // another user's list and another user's cursor
    const other = await user('u_operator');
    expect((await t.call('GET', '/v1/me/favourites', { token: other })).body.items).toEqual([]);
    expectStatus(
      await t.call('GET', `/v1/me/favourites?kind=symbol&limit=1&cursor=${first.body.nextCursor}`, { token: other }),
      400,
      'INVALID_CURSOR',
    );
    expectStatus(
      await t.call('DELETE', '/v1/me/favourites/symbols/MSFT', { token: other }),
      404,
      'FAVOURITE_NOT_FOUND',
    );
    expectStatus(await t.call('DELETE', '/v1/me/favourites/symbols/MSFT', { token }), 204);
    expectStatus(await t.call('DELETE', '/v1/me/favourites/symbols/MSFT', { token }), 404, 'FAVOURITE_NOT_FOUND');
    expectField(await t.call('GET', '/v1/me/favourites?kind=watch', { token }), 'query.kind');
  });
});

describe('onboarding: personal fields encrypted field by field, masked, revealed only after a fresh login', () => {
  let version = 0;

  it('starts at the first step with nothing answered', async () => {
    const res = await t.call('GET', '/v1/me/onboarding', { token: await user('u_navigator') });
    expectStatus(res, 200);
    expect(res.headers.get('etag')).toBe('"0"');
    expect(res.body).toMatchObject({
      steps: ['profile', 'experience', 'personal', 'tax', 'legal'],
      currentStep: 'profile',
      completedSteps: [],
      complete: false,
      taxId: null,
      personalDataErased: false,
      version: 0,
    });
  });

  it('bad input is 400 naming the field, and the refusal never echoes what was sent', async () => {
    const token = await user('u_navigator');
    const patch = (body: unknown) =>
      t.call('PATCH', '/v1/me/onboarding', { token, headers: { 'If-Match': '"0"' }, body });
    const badPhone = await patch({ phone: '0041-SECRET-99' });
    expectField(badPhone, 'body.phone');
    expect(badPhone.text).not.toContain('SECRET');
    expectField(await patch({ dateOfBirth: '1980-02-30' }), 'body.dateOfBirth');
    expectField(
      await patch({ dateOfBirth: new Date(t.rt.platform.now()).toISOString().slice(0, 10) }),
      'body.dateOfBirth',
    );
    expectField(await patch({ taxId: 'no spaces allowed' }), 'body.taxId');
    expectField(await patch({ taxResidency: 'usa' }), 'body.taxResidency');
    expectField(await patch({ experience: 'guru' }), 'body.experience');
    expectField(await patch({ favouriteColour: 'red' }), 'body.favouriteColour');
    const old = await patch({ acceptTerms: { version: '2020-01' } });
    expectStatus(old, 422, 'ACCEPTANCE_VERSION_NOT_CURRENT');
    expect((old.body.errors ?? []).map((e) => e.path)).toEqual(['body.acceptTerms.version']);
    expectStatus(await t.call('PATCH', '/v1/me/onboarding', { token, body: { fullName: 'x' } }), 428);
  });

  it('a PATCH seals the personal fields; the answer masks the tax id', async () => {
    const token = await user('u_navigator');
    const res = await t.call('PATCH', '/v1/me/onboarding', {
      token,
      headers: { 'If-Match': '"0"' },
      body: { ...PERSONAL, experience: 'intermediate', riskTolerance: 'moderate', investmentHorizon: 'long' },
    });
    expectStatus(res, 200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.body).toMatchObject({
      fullName: PERSONAL.fullName,
      dateOfBirth: PERSONAL.dateOfBirth,
      phone: PERSONAL.phone,
      taxId: '•••••6789',
      taxIdMasked: true,
      completedSteps: ['profile', 'experience', 'personal'],
      currentStep: 'tax',
      complete: false,
      version: 1,
    });
    version = 1;
  });

  it('the raw DynamoDB items hold no plaintext: each field is sealed (enc1.…), the data key is wrapped', async () => {
    const items = await profileItems('u_navigator');
    const onboarding = items.find((i) => i.SK?.S === 'ONBOARDING');
    const sealed = onboarding?.sealed?.M ?? {};
    for (const field of ['fullName', 'dateOfBirth', 'phone', 'taxId']) expect(sealed[field]?.S).toMatch(/^enc1\./);
    const key = items.find((i) => i.SK?.S === 'DATAKEY');
    expect(key?.keyRef?.S).toBe('local/t_demo/field-key');
    expect(key?.wrapped?.S).toBeTruthy();
    // nothing anywhere in the data or control tables (audit, idempotency records included)
    noPlaintext(await scanAll(t.rt.tables.pooled));
    noPlaintext(await scanAll(t.rt.tables.control));
  });

  it('?reveal=taxId needs a fresh login (401 with the RFC 9470 challenge); then shows it in clear', async () => {
    const stale = await t.call('GET', '/v1/me/onboarding?reveal=taxId', { token: await staleLogin('u_navigator') });
    expectStatus(stale, 401, 'FRESH_LOGIN_REQUIRED');
    expect(stale.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
    noPlaintext(stale.text);
    // without reveal an old login reads it masked
    const masked = await t.call('GET', '/v1/me/onboarding', { token: await staleLogin('u_navigator') });
    expect(masked.body).toMatchObject({ taxId: '•••••6789', taxIdMasked: true });
    const fresh = await t.call('GET', '/v1/me/onboarding?reveal=taxId', { token: await user('u_navigator') });
    expectStatus(fresh, 200);
    expect(fresh.body).toMatchObject({ taxId: PERSONAL.taxId, taxIdMasked: false });
    expectField(
      await t.call('GET', '/v1/me/onboarding?reveal=phone', { token: await user('u_navigator') }),
      'query.reveal',
    );
  });

  it('another user of the same tenant never reads this one’s onboarding', async () => {
    const other = await t.call('GET', '/v1/me/onboarding?reveal=taxId', { token: await user('u_operator') });
    expectStatus(other, 200);
    expect(other.body).toMatchObject({ version: 0, fullName: null, phone: null, taxId: null, completedSteps: [] });
    noPlaintext(other.text);
  });

  it('null clears a field; the rest stay sealed and readable', async () => {
    const token = await user('u_navigator');
    const cleared = await t.call('PATCH', '/v1/me/onboarding', {
      token,
      headers: { 'If-Match': `"${version}"` },
      body: { phone: null },
    });
    expectStatus(cleared, 200);
    expect(cleared.body).toMatchObject({ phone: null, fullName: PERSONAL.fullName, currentStep: 'personal' });
    const back = await t.call('PATCH', '/v1/me/onboarding', {
      token,
      headers: { 'If-Match': `"${version + 1}"` },
      body: { phone: PERSONAL.phone, taxResidency: 'US' },
    });
    expectStatus(back, 200);
    expect(back.body).toMatchObject({ phone: PERSONAL.phone, currentStep: 'legal' });
    version += 2;
  });
});

describe('trading preferences', () => {
  const body = {
    style: 'swing',
    strategyPreference: 'trend',
    defaultPositionSize: '500.50',
    maxPositionSize: '2500',
    stopLossPct: '3.5',
    takeProfitPct: '12',
    allocationTargets: { cash: '5.5', equity: '64.5', bond: '20', alternative: '10' },
    paperTradingEnabled: true,
    realTradingEnabled: false,
  };

  it('defaults at version 0; decimals, sizes and allocation checked with the field named', async () => {
    const token = await user('u_navigator');
    const got = await t.call('GET', '/v1/me/trading-preferences', { token });
    expectStatus(got, 200);
    expect(got.body).toMatchObject({ version: 0, realTradingEnabled: false, paperTradingEnabled: true });
    const put = (b: unknown) =>
      t.call('PUT', '/v1/me/trading-preferences', { token, headers: { 'If-Match': '"0"' }, body: b });
    const sum = await put({ ...body, allocationTargets: { ...body.allocationTargets, cash: '5.4' } });
    expectField(sum, 'body.allocationTargets');
    expect(sum.text).toContain('99.9');
    expectField(await put({ ...body, defaultPositionSize: '2500.01' }), 'body.defaultPositionSize');
    expectField(await put({ ...body, maxPositionSize: 2500 }), 'body.maxPositionSize');
    expectField(await put({ ...body, stopLossPct: '100' }), 'body.stopLossPct');
    expectField(await put({ ...body, strategyPreference: 'astrology' }), 'body.strategyPreference');
    expectField(
      await put({ ...body, allocationTargets: { ...body.allocationTargets, crypto: '0' } }),
      'body.allocationTargets.crypto',
    );
    const ok = await put(body);
    expectStatus(ok, 200);
    expect(ok.body).toMatchObject({ ...body, version: 1 });
  });

  it('real trading before onboarding is complete is 422 ONBOARDING_INCOMPLETE naming the missing step', async () => {
    const token = await user('u_navigator');
    const res = await t.call('PUT', '/v1/me/trading-preferences', {
      token,
      headers: { 'If-Match': '"1"' },
      body: { ...body, realTradingEnabled: true },
    });
    expectStatus(res, 422, 'ONBOARDING_INCOMPLETE');
    expect(res.body.missingSteps).toEqual(['legal']);
    expect((res.body.errors ?? []).map((e) => e.path)).toEqual(['body.realTradingEnabled']);
    // someone who has done nothing misses every step
    const fresh = await t.call('PUT', '/v1/me/trading-preferences', {
      token: await user('u_operator'),
      headers: { 'If-Match': '"0"' },
      body: { ...body, realTradingEnabled: true },
    });
    expect(fresh.body.missingSteps).toEqual(['profile', 'experience', 'personal', 'tax', 'legal']);
  });

  it('accepting the current terms and privacy completes onboarding; then real trading may be switched on', async () => {
    const token = await user('u_navigator');
    const current = await t.call('GET', '/v1/me/onboarding', { token });
    const versions = current.body.currentVersions as { terms: string; privacy: string };
    const legal = await t.call('PATCH', '/v1/me/onboarding', {
      token,
      headers: { 'If-Match': String(current.headers.get('etag')) },
      body: { acceptTerms: { version: versions.terms }, acceptPrivacy: { version: versions.privacy } },
    });
    expectStatus(legal, 200);
    expect(legal.body).toMatchObject({ complete: true, currentStep: null, terms: { version: versions.terms } });
    const on = await t.call('PUT', '/v1/me/trading-preferences', {
      token,
      headers: { 'If-Match': '"1"' },
      body: { ...body, realTradingEnabled: true },
    });
    expectStatus(on, 200);
    expect(on.body).toMatchObject({ realTradingEnabled: true, version: 2 });
  });
});

describe('export', () => {
  it('needs a fresh login; holds every section with the personal fields decrypted', async () => {
    expectStatus(
      await t.call('GET', '/v1/me/export', { token: await staleLogin('u_navigator') }),
      401,
      'FRESH_LOGIN_REQUIRED',
    );
    const res = await t.call('GET', '/v1/me/export', { token: await user('u_navigator') });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ tenantId: 't_demo', userId: 'u_navigator' });
    const profile = (res.body.sections as Record<string, Record<string, unknown>>).profile;
    expect(profile.preferences).toMatchObject({ version: 1, display: { theme: 'dark' } });
    expect(profile.theme).toMatchObject({ version: 1 });
    expect(profile.tradingPreferences).toMatchObject({ realTradingEnabled: true });
    expect(profile.onboarding).toMatchObject({ ...PERSONAL, complete: true, taxIdMasked: false });
    expect((profile.favourites as Array<{ name: string }>).map((f) => f.name)).toEqual(['trend', 'AAPL']);
    expect(profile.dataKey).toMatchObject({ keyId: expect.any(String) });
    expect(JSON.stringify(profile.dataKey)).not.toContain('wrapped');
    // another user's export is their own
    const other = await t.call('GET', '/v1/me/export', { token: await user('u_operator') });
    noPlaintext(other.text);
  });
});

describe('erasure (crypto-shredding)', () => {
  let before: Awaited<ReturnType<typeof profileItems>> = [];

  it('needs a fresh login and an Idempotency-Key; the last admin cannot erase themselves', async () => {
    const token = await user('u_observer');
    const patch = await t.call('PATCH', '/v1/me/onboarding', {
      token,
      headers: { 'If-Match': '"0"' },
      body: { ...PERSONAL, taxResidency: 'GB' },
    });
    expectStatus(patch, 200);
    expectStatus(await t.call('PUT', '/v1/me/favourites/symbols/VTI', { token }), 200);
    before = await profileItems('u_observer');
    expect(before.map((i) => i.SK?.S).sort()).toEqual(['DATAKEY', 'ONBOARDING', 'PROFILEFAVOURITE#symbol#VTI']);
    const stale = await t.call('DELETE', '/v1/me', {
      token: await staleLogin('u_observer'),
      headers: { 'Idempotency-Key': 'erase-stale' },
    });
    expectStatus(stale, 401, 'FRESH_LOGIN_REQUIRED');
    const noKey = await t.call('DELETE', '/v1/me', { token });
    expectStatus(noKey, 400);
    const admin = await t.call('DELETE', '/v1/me', {
      token: await user('u_admin'),
      headers: { 'Idempotency-Key': 'erase-admin' },
    });
    expectStatus(admin, 409, 'LAST_ADMIN');
    expectStatus(await t.call('GET', '/v1/me/preferences', { token: await user('u_admin') }), 200);
    expect(await profileItems('u_observer')).toHaveLength(3);
  });

  it('destroys the data key, deletes the profile, removes the membership, leaves a tombstone', async () => {
    const token = await user('u_observer');
    const res = await t.call('DELETE', '/v1/me', { token, headers: { 'Idempotency-Key': 'erase-observer' } });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      dataKeyDestroyed: true,
      documentsDeleted: 2,
      membershipRemoved: true,
      erasureId: expect.stringMatching(/^er_/),
    });
    expect(await profileItems('u_observer')).toEqual([]);
    // no longer a member: the same call again is refused before anything runs
    expectStatus(
      await t.call('DELETE', '/v1/me', { token, headers: { 'Idempotency-Key': 'erase-observer' } }),
      403,
      'NOT_A_MEMBER',
    );
    const audit = await t.call('GET', '/v1/audit?limit=200', { token: await user('u_admin') });
    const actions = (audit.body.items ?? []).map((a) => `${a.action} ${a.resource}`);
    expect(actions).toContain('profile.erase user/u_observer');
    expect(actions).toContain('member.remove member/u_observer');
    const tombstone = (audit.body.items ?? []).find((a) => a.action === 'profile.erase');
    noPlaintext(JSON.stringify(tombstone));
    noPlaintext(await scanAll(t.rt.tables.control));
  });

  it('an admin with another admin beside them may leave: the API keys they made are revoked with it', async () => {
    const added = await t.call('PUT', '/v1/tenants/t_demo/members/u_admin_two', {
      token: await user('u_admin'),
      body: { roles: ['admin'], tier: 'sovereign' },
    });
    expectStatus(added, 201);
    const token = await user('u_admin_two');
    const key = await t.call('POST', '/v1/api-keys', {
      token,
      headers: { 'X-Project-Id': 'p_demo' },
      body: { name: 'leaves with me', tier: 'observer', roles: ['viewer'] },
    });
    expectStatus(key, 201);
    const res = await t.call('DELETE', '/v1/me', { token, headers: { 'Idempotency-Key': 'erase-admin-two' } });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ membershipRemoved: true, dataKeyDestroyed: false, documentsDeleted: 0 });
    const keys = await t.call('GET', '/v1/api-keys?limit=200', { token: await user('u_admin') });
    const mine = (keys.body.items ?? []).find((k) => k.keyId === key.body.keyId);
    expect(mine?.revokedAt).toBeTruthy();
    expectStatus(await t.call('GET', '/v1/me/preferences', { apiKey: String(key.body.secret) }), 401);
  });

  it('a copy of the sealed fields (a backup restored) stays unreadable: they read as null, erased', async () => {
    // the user is added back, and the old onboarding item comes back as a backup would bring it
    const back = await t.call('PUT', '/v1/tenants/t_demo/members/u_observer', {
      token: await user('u_admin'),
      body: { roles: ['trader'], tier: 'observer' },
    });
    expectStatus(back, 201);
    const old = before.find((i) => i.SK?.S === 'ONBOARDING');
    expect(old).toBeDefined();
    await raw.send(new PutItemCommand({ TableName: t.rt.tables.pooled, Item: old ?? {} }));
    const token = await user('u_observer');
    const res = await t.call('GET', '/v1/me/onboarding?reveal=taxId', { token });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      fullName: null,
      dateOfBirth: null,
      phone: null,
      taxId: null,
      personalDataErased: true,
      taxResidency: 'GB',
      completedSteps: [],
    });
    noPlaintext(res.text);
    // a new answer makes a new data key; the old fields are dropped, never opened
    const fresh = await t.call('PATCH', '/v1/me/onboarding', {
      token,
      headers: { 'If-Match': String(res.headers.get('etag')) },
      body: { phone: '+447700900123' },
    });
    expectStatus(fresh, 200);
    expect(fresh.body).toMatchObject({ phone: '+447700900123', fullName: null, personalDataErased: false });
  });
});

describe('logs', () => {
  it('no log line of the whole run holds a personal field in clear', () => {
    expect(lines.length).toBeGreaterThan(20);
    noPlaintext(lines.join('\n'));
  });
});
