import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DynamoFaultInjector, injectDynamoFaults } from '../../packages/local/src/faults.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

/**
 * DynamoDB failing under a money-moving write, injected at the SDK boundary (a middleware on the
 * runtime's own client, inside the SDK's retry loop; every other call reaches DynamoDB Local):
 * the write either happens once or not at all, a refusal is a 503 with Retry-After, and the same
 * Idempotency-Key works once DynamoDB is back.
 */

let t: TestRuntime;
let nav: string;
let faults: DynamoFaultInjector;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `faults-${++keySeq}-${Date.now()}`;
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  nav = await t.token('u_navigator', 't_demo', '6h');
  faults = injectDynamoFaults(t.rt.platform.dynamo);
});
beforeEach(() => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
});
afterEach(() => faults.clear());
afterAll(async () => {
  await t.stop();
});

const get = (path: string) => t.call('GET', path, { token: nav, headers: P });

async function newPortfolio(): Promise<string> {
  const r = await t.call('POST', '/v1/portfolios', {
    token: nav,
    headers: { ...P, 'Idempotency-Key': key() },
    body: { name: 'Faults', baseCurrency: 'USD', cash: '10000.00' },
  });
  expect(r.status, r.text).toBe(201);
  return String(r.body.portfolioId);
}

const BUY = { type: 'BUY', symbol: 'AAPL', quantity: '10', price: '100', fee: '1', tradeDate: '2026-01-05' };
const buy = (portfolioId: string, idempotencyKey: string) =>
  t.call('POST', `/v1/portfolios/${portfolioId}/transactions`, {
    token: nav,
    headers: { ...P, 'Idempotency-Key': idempotencyKey },
    body: BUY,
  });

/** What the portfolio holds, read back through the API: cash, the AAPL quantity, transactions. */
async function stateOf(portfolioId: string) {
  const portfolio = await get(`/v1/portfolios/${portfolioId}`);
  expect(portfolio.status, portfolio.text).toBe(200);
  const holdings = await get(`/v1/portfolios/${portfolioId}/holdings`);
  expect(holdings.status, holdings.text).toBe(200);
  const txs = await get(`/v1/portfolios/${portfolioId}/transactions`);
  expect(txs.status, txs.text).toBe(200);
  const items = (holdings.body.items ?? []) as Array<{ symbol: string; quantity: string }>;
  return {
    cash: String(portfolio.body.cash),
    aapl: items.find((h) => h.symbol === 'AAPL')?.quantity ?? '0',
    transactions: ((txs.body.items ?? []) as unknown[]).length,
  };
}

const BEFORE = { cash: '10000.00', aapl: '0', transactions: 0 };
const AFTER_ONE_BUY = { cash: '8999.00', aapl: '10', transactions: 1 };

describe('DynamoDB faults during a ledger write', () => {
  it('a throttled transaction is retried by the SDK and applied once', async () => {
    const id = await newPortfolio();
    faults.arm({ kind: 'throttle', operations: ['TransactWriteItems'], count: 1 });
    const r = await buy(id, key());
    expect(r.status, r.text).toBe(201);
    expect(faults.hits.throttle).toBeGreaterThanOrEqual(1);
    expect(faults.pending()).toBe(0);
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
  });

  it('throttling that outlasts the retries is a 503 with Retry-After and writes nothing', async () => {
    const id = await newPortfolio();
    const idem = key();
    faults.arm({ kind: 'throttle', operations: ['TransactWriteItems'], count: 20 });
    const r = await buy(id, idem);
    expect(r.status, r.text).toBe(503);
    expect(r.body.code).toBe('BACKEND_UNAVAILABLE');
    expect(r.headers.get('retry-after')).toBe('1');
    faults.clear();
    expect(await stateOf(id)).toEqual(BEFORE);
    // the refused request left no idempotency record in flight: the same key now goes through
    const again = await buy(id, idem);
    expect(again.status, again.text).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
  });

  it('a transaction cancelled for a throttled partition: 503, nothing written, then the retry applies', async () => {
    const id = await newPortfolio();
    const idem = key();
    faults.arm({ kind: 'transaction-throttled', operations: ['TransactWriteItems'], count: 1 });
    const r = await buy(id, idem);
    expect(r.status, r.text).toBe(503);
    expect(r.body.code).toBe('BACKEND_UNAVAILABLE');
    expect(r.headers.get('retry-after')).toBe('1');
    expect(await stateOf(id)).toEqual(BEFORE);
    const again = await buy(id, idem);
    expect(again.status, again.text).toBe(201);
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
  });

  it('a request that never reached DynamoDB, every attempt, is a 503 and writes nothing', async () => {
    const id = await newPortfolio();
    faults.arm({ kind: 'timeout-before', operations: ['TransactWriteItems'], count: 20 });
    const idem = key();
    const r = await buy(id, idem);
    expect(r.status, r.text).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    faults.clear();
    expect(await stateOf(id)).toEqual(BEFORE);
    // the doubt was settled by fencing the commit's marker; the retry with the same key passes the fence
    const again = await buy(id, idem);
    expect(again.status, again.text).toBe(201);
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
  });

  it('an answer lost after DynamoDB applied the transaction: the retry does not apply it twice', async () => {
    const id = await newPortfolio();
    const idem = key();
    faults.arm({ kind: 'timeout-after', operations: ['TransactWriteItems'], count: 1 });
    const r = await buy(id, idem);
    // the SDK resent the same transaction with the same ClientRequestToken, which DynamoDB answers
    // as the first one's success instead of applying it again (or failing its version conditions)
    expect(r.status, r.text).toBe(201);
    expect(faults.hits['timeout-after']).toBe(1);
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
    // and a client that retries with its key gets the first answer back, not a second buy
    const again = await buy(id, idem);
    expect(again.status, again.text).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
  });

  it('an answer lost, then every retry throttled: the write happened, so the answer is 201, not a 503', async () => {
    const id = await newPortfolio();
    const idem = key();
    const before = { ...faults.hits };
    faults.arm({ kind: 'timeout-after', operations: ['TransactWriteItems'], count: 1 });
    faults.arm({ kind: 'throttle', operations: ['TransactWriteItems'], count: 20 });
    const r = await buy(id, idem);
    // the fence put found the commit's own marker: the lost attempt was applied
    expect(r.status, r.text).toBe(201);
    expect(faults.hits['timeout-after'] - before['timeout-after']).toBe(1);
    expect(faults.hits.throttle - before.throttle).toBeGreaterThanOrEqual(1);
    faults.clear();
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
    const again = await buy(id, idem);
    expect(again.status, again.text).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
  });

  it('a doubt that cannot be settled is a 503 WRITE_IN_DOUBT, and the same key never books twice', async () => {
    const id = await newPortfolio();
    const idem = key();
    faults.arm({ kind: 'timeout-after', operations: ['TransactWriteItems'], count: 1 });
    faults.arm({ kind: 'throttle', operations: ['TransactWriteItems'], count: 20 });
    // the fence put (the only write carrying a `fence`) cannot get through either
    faults.arm({
      kind: 'throttle',
      operations: ['PutItem'],
      count: 20,
      when: (input) => typeof input.Item === 'object' && input.Item !== null && 'fence' in input.Item,
    });
    const r = await buy(id, idem);
    expect(r.status, r.text).toBe(503);
    expect(r.body.code).toBe('WRITE_IN_DOUBT');
    expect(r.headers.get('retry-after')).toBe('1');
    faults.clear();
    // it was in fact written; the client's retry runs the route again and meets the first commit's marker
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
    const again = await buy(id, idem);
    expect(again.status, again.text).toBe(409);
    expect(again.body.code).toBe('IDEMPOTENT_REQUEST_APPLIED');
    expect(await stateOf(id)).toEqual(AFTER_ONE_BUY);
  });
});
