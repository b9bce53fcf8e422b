import { Dec, decimalString } from '@ballast/core/money.js';
import { type AnyStrategy, strategies } from '@ballast/core/strategies/index.js';
import { AppError, badRequest, conflict, notFound } from '@ballast/platform/errors.js';
import * as z from 'zod/mini';
import { tradingDeps, placeOrder } from '../trading/index.js';
import { newSignalId } from './ids.js';
import type { ResearchHandler } from './ports.js';
import type { routes } from './routes.js';
import type { StoredSignal } from './store.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();
/** a strategy's float levels become order prices here: 6 places, beyond any tick size */
const PRICE_PLACES = 6;
/** parsed parameters (a strategy's schema made them: an object) as the record stored and shown */
const recordOf = (x: unknown): Record<string, unknown> =>
  typeof x === 'object' && x !== null ? Object.fromEntries(Object.entries(x)) : {};
const priceOf = (x: number | null): string | null =>
  x === null || !Number.isFinite(x) || x <= 0 ? null : decimalString(new Dec(x).toDecimalPlaces(PRICE_PLACES));

export const listStrategies: ResearchHandler<R['listStrategies']> = async () => ({
  status: 200,
  body: {
    items: Object.entries(strategies).map(([name, s]) => ({
      name,
      title: s.name,
      description: s.description,
      parameters: z.toJSONSchema(s.params, { io: 'input', unrepresentable: 'any' }),
      defaults: recordOf(s.params.parse({})),
    })),
  },
});

/**
 * The strategy's decision at the close of the last stored bar, on the bars before it only (its
 * `prepare` is causal): the same request on the same stored bars gives the same signal.
 */
export const analyze: ResearchHandler<R['analyze']> = async ({ params, body }, h) => {
  const strategy: AnyStrategy = strategies[params.strategy];
  const parsed = strategy.params.safeParse(body.params);
  if (!parsed.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      `The parameters do not fit ${params.strategy}`,
      parsed.error.issues.map((i) => ({
        path: ['body', 'params', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  const bars = await h.ports.candles.latest(body.symbol, body.interval, h.now, body.bars);
  if (bars.length < 2) {
    throw new AppError(
      422,
      'NOT_ENOUGH_CANDLES',
      `${bars.length} stored ${body.interval} bar(s) of ${body.symbol}: sync or upload candles first`,
    );
  }
  const last = bars.length - 1;
  const seen = strategy.signal(strategy.prepare(bars, parsed.data), last);
  const lastBarTime = iso(bars.time[last]);
  const run = {
    strategy: params.strategy,
    symbol: body.symbol,
    interval: body.interval,
    bars: bars.length,
    lastBarTime,
  };
  const entry = seen ? priceOf(seen.entry) : null;
  if (!seen || !entry) return { status: 200, body: { ...run, signal: null } };
  const at = iso(h.now);
  const signal: StoredSignal = {
    signalId: newSignalId(h.now),
    strategy: params.strategy,
    params: recordOf(parsed.data),
    symbol: body.symbol,
    interval: body.interval,
    barTime: lastBarTime,
    side: seen.side,
    entry,
    stopLoss: priceOf(seen.stop),
    takeProfit: priceOf(seen.target),
    confidence: seen.confidence,
    reason: seen.reason,
    status: 'open',
    createdAt: at,
    createdBy: h.ctx.principal.id,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.research.putSignal(uow, signal, undefined);
  uow.audit({ action: 'signal.create', resource: `signal/${signal.signalId}`, after: signal });
  await uow.commit();
  return { status: 201, body: { ...run, signal }, headers: { Location: `/v1/signals/${signal.signalId}` } };
};

export const listSignals: ResearchHandler<R['listSignals']> = async ({ query }, h) => {
  const page = await h.ports.research.listSignals(query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

async function signalOf(store: { getSignal(id: string): Promise<StoredSignal | undefined> }, signalId: string) {
  const found = await store.getSignal(signalId);
  if (!found) throw notFound('SIGNAL_NOT_FOUND', `No signal ${signalId} in this project`);
  return found;
}

const notOpen = (s: StoredSignal) => conflict('SIGNAL_NOT_OPEN', `Signal ${s.signalId} is ${s.status}`);

export const getSignal: ResearchHandler<R['getSignal']> = async ({ params }, h) => ({
  status: 200,
  body: await signalOf(h.ports.research, params.signalId),
});

/**
 * The signal is claimed first (its version decides a race between two approvals), then its
 * order goes through the gate; a refused order gives the signal back, open, and the refusal.
 */
export const approveSignal: ResearchHandler<R['approveSignal']> = async ({ params, body }, h) => {
  const before = await signalOf(h.ports.research, params.signalId);
  if (before.status !== 'open') throw notOpen(before);
  const stopLoss = body.stopLoss ?? before.stopLoss;
  const takeProfit = body.takeProfit ?? before.takeProfit;
  if (!stopLoss || !takeProfit) {
    throw badRequest('STOP_AND_TARGET_REQUIRED', 'A strategy order needs a stop and a target: send them', [
      ...(stopLoss ? [] : [{ path: 'body.stopLoss', message: 'is required: the signal sets none' }]),
      ...(takeProfit ? [] : [{ path: 'body.takeProfit', message: 'is required: the signal sets none' }]),
    ]);
  }
  const claimed: StoredSignal = {
    ...before,
    status: 'approved',
    accountId: body.accountId,
    updatedAt: iso(h.now),
    version: before.version + 1,
  };
  const claim = h.unitOfWork();
  h.ports.research.putSignal(claim, claimed, before.version);
  await claim.commit();
  let placed: Awaited<ReturnType<typeof placeOrder>>;
  try {
    placed = await placeOrder(tradingDeps(h), {
      accountId: body.accountId,
      symbol: before.symbol,
      side: before.side === 'long' ? 'buy' : 'sell',
      type: 'market',
      quantity: body.quantity,
      timeInForce: 'day',
      strategy: before.strategy,
      stopLoss,
      takeProfit,
      signalId: before.signalId,
      note: body.note ?? `signal ${before.signalId}: ${before.reason}`,
    });
  } catch (e) {
    // no order was placed: the signal is open again, and the refusal is the answer
    const reopened: StoredSignal = { ...before, updatedAt: iso(h.now), version: claimed.version + 1 };
    const uow = h.unitOfWork();
    h.ports.research.putSignal(uow, reopened, claimed.version);
    await uow.commit();
    throw e;
  }
  if (placed.kind !== 'order') throw new Error('placeOrder answered a decision without dryRun');
  const order = placed.order;
  const after: StoredSignal = {
    ...claimed,
    orderId: order.orderId,
    updatedAt: iso(h.now),
    version: claimed.version + 1,
  };
  const uow = h.unitOfWork();
  h.ports.research.putSignal(uow, after, claimed.version);
  uow.audit({ action: 'signal.approve', resource: `signal/${after.signalId}`, before, after });
  await uow.commit();
  return { status: 201, body: { signal: after, order }, headers: { Location: `/v1/orders/${order.orderId}` } };
};

export const cancelSignal: ResearchHandler<R['cancelSignal']> = async ({ params }, h) => {
  const before = await signalOf(h.ports.research, params.signalId);
  if (before.status !== 'open') throw notOpen(before);
  const after: StoredSignal = { ...before, status: 'cancelled', updatedAt: iso(h.now), version: before.version + 1 };
  const uow = h.unitOfWork();
  h.ports.research.putSignal(uow, after, before.version);
  uow.audit({ action: 'signal.cancel', resource: `signal/${after.signalId}`, before, after });
  await uow.commit();
  return { status: 200, body: after };
};
