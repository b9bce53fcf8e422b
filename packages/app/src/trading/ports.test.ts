import { AppError } from '@ballast/platform/errors.js';
import type { TokenBucket } from '@ballast/platform/outbound/token-bucket.js';
import { describe, expect, it } from 'vitest';
import type { Broker } from './broker.js';
import { withinBudget } from './ports.js';

function recordingBroker(calls: string[]): Broker {
  const order = {
    brokerOrderId: 'b1',
    clientOrderId: 'c1',
    symbol: 'AAPL',
    side: 'buy' as const,
    type: 'market' as const,
    venueStatus: 'new',
    state: 'submitted' as const,
    quantity: '1',
    filledQuantity: '0',
  };
  return {
    name: 'recording',
    submitOrder: async () => (calls.push('submit'), order),
    orderByClientId: async () => (calls.push('byClient'), order),
    order: async () => (calls.push('order'), order),
    cancelOrder: async () => void calls.push('cancel'),
    account: async () => (
      calls.push('account'), { currency: 'USD', cash: '1', equity: '1', buyingPower: '1', tradingBlocked: false }
    ),
    positions: async () => (calls.push('positions'), []),
  };
}

describe('the shared broker budget', () => {
  it('takes a token before every call, and refuses with 503 BROKER_BUSY and Retry-After without calling', async () => {
    let tokens = 2;
    const bucket: TokenBucket = {
      take: async () => (tokens-- > 0 ? { granted: true } : { granted: false, retryAfterMs: 1_500 }),
    };
    const calls: string[] = [];
    const broker = withinBudget(recordingBroker(calls), bucket);
    await broker.account();
    await broker.order('b1');
    const refused = await broker.cancelOrder('b1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, code: 'BROKER_BUSY', headers: { 'Retry-After': '2' } });
    expect(calls).toEqual(['account', 'order']);
    expect(broker.name).toBe('recording');
  });
});
