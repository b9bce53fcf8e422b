import { positionQuantity } from '@ballast/core/ledger/figures.js';
import { type D, Dec, decimalString, money } from '@ballast/core/money.js';
import { type AnyStrategy, strategies } from '@ballast/core/strategies/index.js';
import { AppError } from '@ballast/platform/errors.js';
import { withRetries } from '../portfolio/index.js';
import { type Account, loadAccount, placeOrder } from '../trading/index.js';
import type { NotificationRecord } from '../watchlists/index.js';
import { type Acting, deps, iso, scheduleFeedback } from './acting.js';
import { agentAfter, agentHealth, ordersToday } from './health.js';
import { newCycleId, newDecisionId } from './ids.js';
import { freshAgent } from './playbooks.js';
import type { Agent, AutomationDecision, Cycle, CycleStep, Playbook, StepOutcome } from './store.js';

/** a strategy's float levels become order prices here: 6 places, beyond any tick size */
const PRICE_PLACES = 6;
const QUANTITY_PLACES = 6;
const HUNDRED = new Dec(100);

const priceOf = (x: number | null): string | null =>
  x === null || !Number.isFinite(x) || x <= 0 ? null : decimalString(new Dec(x).toDecimalPlaces(PRICE_PLACES));

/** What a step concluded: go on, or end the cycle here (by decision, or by a fault). */
interface StepResult {
  outcome: StepOutcome;
  code: string;
  reasoning: string;
  inputs: Record<string, unknown>;
  output?: Record<string, unknown>;
}

const proceed = (code: string, reasoning: string, inputs: Record<string, unknown>, output?: Record<string, unknown>) =>
  ({ outcome: 'proceed', code, reasoning, inputs, ...(output ? { output } : {}) }) satisfies StepResult;
const stop = (code: string, reasoning: string, inputs: Record<string, unknown>, output?: Record<string, unknown>) =>
  ({ outcome: 'stop', code, reasoning, inputs, ...(output ? { output } : {}) }) satisfies StepResult;

/** A step that could not do its work: the fault's code and message are its decision. */
function fault(e: unknown, inputs: Record<string, unknown>): StepResult {
  if (e instanceof AppError) {
    const extra = e.extra ? { detail: e.extra } : {};
    return { outcome: 'error', code: e.code, reasoning: e.message, inputs, output: { status: e.status, ...extra } };
  }
  return { outcome: 'error', code: 'STEP_FAILED', reasoning: 'the step failed unexpectedly', inputs };
}

/** Where a cycle starts from: the playbook as it is now, and whether a schedule's slot asked for it. */
export interface CycleStart {
  playbook: Playbook;
  source: 'manual' | 'schedule';
  slot?: string;
  /** the agent as the run found it (a scheduled run has moved its slot on already) */
  agent: Agent | undefined;
  /** what the start stages besides the running cycle (a scheduled run's slot claim and next slot) */
  stage?(uow: ReturnType<Acting['unitOfWork']>, cycle: Cycle): void;
}

/** What the strategy step hands on: the order it would place. */
interface Intent {
  account: Account;
  body: {
    accountId: string;
    symbol: string;
    side: 'buy' | 'sell';
    type: 'limit' | 'market';
    /** an opening buy is a limit at the signal's entry: the gate checks the levels against what it may pay */
    limitPrice?: string;
    quantity: string;
    timeInForce: 'day';
    strategy: string;
    stopLoss: string;
    takeProfit: string;
    note: string;
  };
}

/**
 * One trading cycle of an active playbook: supervisor → strategy → risk → execution, each step a
 * decision with its inputs and reasoning; the first step that says stop (or fails) ends it. The
 * running cycle is written first (a scheduled run's slot claim with it, so a slot runs once); the
 * steps, the outcome and the agent's heartbeat are written together at the end.
 */
export async function runCycle(a: Acting, start: CycleStart): Promise<Cycle> {
  const { playbook } = start;
  const cycleId = newCycleId(a.now);
  const running: Cycle = {
    cycleId,
    playbookId: playbook.playbookId,
    playbookVersion: playbook.version,
    strategy: playbook.strategy,
    symbol: playbook.symbol,
    interval: playbook.interval,
    accountId: playbook.accountId,
    source: start.source,
    ...(start.slot ? { slot: start.slot } : {}),
    status: 'running',
    steps: [],
    startedAt: iso(a.now),
    by: a.actor,
    version: 1,
  };
  const opening = a.unitOfWork();
  a.ports.automation.putCycle(opening, running, undefined);
  start.stage?.(opening, running);
  await opening.commit();

  const cycle: Cycle = { ...running };
  const record = (index: number, step: CycleStep, result: StepResult): StepResult => {
    const decision: AutomationDecision = {
      decisionId: newDecisionId(a.now),
      cycleId,
      playbookId: playbook.playbookId,
      stepIndex: index,
      step,
      ...result,
      at: iso(a.now),
    };
    cycle.steps = [...cycle.steps, decision];
    if (result.outcome !== 'proceed') {
      cycle.endedAt = step;
      cycle.code = result.code;
      cycle.reason = result.reasoning;
    }
    return result;
  };
  const guarded = async (run: () => Promise<StepResult>, inputs: Record<string, unknown>) => {
    try {
      return await run();
    } catch (e) {
      return fault(e, inputs);
    }
  };

  const supervised = record(1, 'supervisor', await guarded(() => supervisor(a, start, cycle), {}));
  if (supervised.outcome === 'proceed') {
    let intent: Intent | undefined;
    const seen = record(
      2,
      'strategy',
      await guarded(async () => {
        const out = await strategyStep(a, playbook, cycle);
        intent = out.intent;
        return out.result;
      }, {}),
    );
    if (seen.outcome === 'proceed' && intent) {
      const chosen = intent;
      const gated = record(3, 'risk', await guarded(() => riskStep(a, chosen), { order: chosen.body }));
      if (gated.outcome === 'proceed') {
        record(4, 'execution', await guarded(() => executionStep(a, chosen, cycle), { order: chosen.body }));
      }
    }
  }
  const last = cycle.steps[cycle.steps.length - 1];
  cycle.status = last.outcome === 'error' ? 'failed' : last.outcome === 'stop' ? 'stopped' : 'completed';
  if (cycle.status === 'completed') {
    cycle.endedAt = 'execution';
    cycle.code = last.code;
    cycle.reason = last.reasoning;
  }
  const finished: Cycle = { ...cycle, finishedAt: iso(a.now), version: 2 };
  let told: NotificationRecord[] = [];
  await withRetries(async () => {
    const agent = (await a.ports.automation.getAgent(playbook.playbookId)) ?? freshAgent(playbook.playbookId, a.now);
    const uow = a.unitOfWork();
    a.ports.automation.putCycle(uow, finished, 1);
    for (const decision of finished.steps) a.ports.automation.putDecision(uow, decision);
    a.ports.automation.putAgent(uow, agentAfter(agent, finished, a.now), agent.version || undefined);
    // a closing sell that filled ends a round trip: the feedback loop judges it at once
    if (finished.status === 'completed' && finished.order?.side === 'sell' && finished.order.status === 'filled') {
      scheduleFeedback(a, uow, playbook.playbookId, iso(Math.floor(a.now / 60_000) * 60_000), { cycleId });
    }
    uow.audit({
      action: 'automation.cycle',
      resource: `playbook/${playbook.playbookId}/cycle/${cycleId}`,
      after: {
        status: finished.status,
        endedAt: finished.endedAt,
        code: finished.code,
        ...(finished.order ? { orderId: finished.order.orderId } : {}),
      },
      source: a.actor === 'scheduler' ? 'agent' : 'api',
    });
    told = start.source === 'schedule' ? await stageCycleFailed(a, uow, playbook, finished) : [];
    await uow.commit();
  });
  await a.ports.notices()?.deliver(told);
  return finished;
}

/**
 * A scheduled cycle that failed tells the playbook's creator (else its account's owner), in the
 * unit of work that ends the cycle: it ends once (its version), so it tells once. A cycle run by
 * hand tells nobody (its caller has the answer); one stopped by a decision (halted, no signal,
 * the gate's refusal, the agent's health) is no failure.
 */
async function stageCycleFailed(
  a: Acting,
  uow: ReturnType<Acting['unitOfWork']>,
  playbook: Playbook,
  cycle: Cycle,
): Promise<NotificationRecord[]> {
  const notices = a.ports.notices();
  if (!notices || cycle.status !== 'failed') return [];
  const account = await a.ports.trading.getAccount(playbook.accountId);
  const [owner] = await notices.recipients({ users: [playbook.createdBy, account?.createdBy] });
  if (!owner) return [];
  const at = cycle.slot ? `The ${cycle.slot} cycle` : 'A scheduled cycle';
  return notices.stage(uow, [owner], {
    kind: 'schedule.failed',
    subject: `Playbook "${playbook.name}" failed its scheduled cycle`,
    body:
      `${at} of playbook "${playbook.name}" (${playbook.playbookId}: ${playbook.strategy} on ${playbook.symbol}, ` +
      `account ${playbook.accountId}) failed at its ${cycle.endedAt ?? 'unknown'} step: ` +
      `${cycle.code ?? 'ERROR'}: ${cycle.reason ?? 'no reason recorded'}.`,
    resource: `automation/cycles/${cycle.cycleId}`,
  });
}

// --- supervisor -----------------------------------------------------------------------------

/**
 * Whether this cycle may trade at all: the tenant's automation switch, the account (its mode,
 * venue and circuit breaker), the playbook's daily order cap, the agent's health.
 */
async function supervisor(a: Acting, start: CycleStart, cycle: Cycle): Promise<StepResult> {
  const { playbook } = start;
  const halt = await a.ports.automation.getHalt();
  const account = await loadAccount(a.ports.trading, playbook.accountId);
  const risk = await a.ports.trading.getRisk(account.accountId);
  const health = agentHealth(start.agent, a.now);
  const placedToday = ordersToday(start.agent, a.now);
  cycle.mode = account.mode;
  cycle.venue = account.venue;
  const breaker = risk?.state.emergencyShutdown;
  const inputs = {
    halted: halt?.halted === true,
    ...(halt?.halted && halt.reason ? { haltReason: halt.reason } : {}),
    accountId: account.accountId,
    mode: account.mode,
    venue: account.venue,
    emergencyShutdown: breaker?.active === true,
    reduceOnly: risk?.reduceOnly === true,
    ordersToday: placedToday,
    maxOrdersPerDay: playbook.maxOrdersPerDay,
    agent: { healthy: health.healthy, problems: health.problems, window: health.window },
    source: start.source,
  };
  if (halt?.halted) {
    return stop(
      'AUTOMATION_HALTED',
      `Automation is halted for the tenant: ${halt.reason ?? 'no reason given'}`,
      inputs,
    );
  }
  if (breaker?.active) {
    return stop(
      'ACCOUNT_HALTED',
      `Account ${account.accountId}'s circuit breaker is active: ${breaker.reason}`,
      inputs,
    );
  }
  if (placedToday >= playbook.maxOrdersPerDay) {
    return stop(
      'DAILY_ORDER_CAP',
      `The playbook placed ${placedToday} order(s) today, its cap is ${playbook.maxOrdersPerDay}`,
      inputs,
    );
  }
  if (!health.healthy) {
    return stop(
      'AGENT_UNHEALTHY',
      `The playbook's agent is unhealthy: ${health.problems.map((p) => p.detail).join('; ')}`,
      inputs,
    );
  }
  return proceed(
    'CLEARED',
    `Not halted, the account is ${account.mode} on ${account.venue}, ${placedToday} of ${playbook.maxOrdersPerDay} ` +
      'orders today, the agent is healthy',
    inputs,
  );
}

// --- strategy -------------------------------------------------------------------------------

const strategyOf = (id: string): AnyStrategy | undefined =>
  Object.hasOwn(strategies, id) ? Object.entries(strategies).find(([name]) => name === id)?.[1] : undefined;

/** Units one order trades: the playbook's quantity, or its money at the entry (whole units unless fractional). */
function sizeOf(playbook: Playbook, entry: D): D {
  const sizing = playbook.sizing;
  if (sizing.kind === 'quantity') return money(sizing.quantity);
  const units = money(sizing.notional).div(entry);
  return sizing.fractional ? units.toDecimalPlaces(QUANTITY_PLACES, Dec.ROUND_DOWN) : units.floor();
}

/** The signal's own level, or the playbook's exit % from the entry (above for the stop of a short). */
function levelOf(own: string | null, entry: D, pct: string, up: boolean): string {
  if (own) return own;
  const move = entry.times(money(pct)).div(HUNDRED);
  return decimalString((up ? entry.plus(move) : entry.minus(move)).toDecimalPlaces(PRICE_PLACES));
}

/**
 * The playbook's strategy at the close of the last stored bar (the bars before it only, as
 * research's analyze reads them), and what it means for the account: a long signal opens a
 * position when there is none, a short one closes the position held (the desk opens no shorts).
 */
async function strategyStep(
  a: Acting,
  playbook: Playbook,
  cycle: Cycle,
): Promise<{ result: StepResult; intent?: Intent }> {
  const strategy = strategyOf(playbook.strategy);
  const interval = playbook.interval;
  const inputs: Record<string, unknown> = {
    strategy: playbook.strategy,
    params: playbook.params,
    symbol: playbook.symbol,
    interval,
    barsAsked: playbook.bars,
  };
  if (!strategy)
    return { result: { outcome: 'error', code: 'STRATEGY_UNKNOWN', reasoning: 'no such strategy', inputs } };
  const params = strategy.params.safeParse(playbook.params);
  if (!params.success) {
    return { result: { outcome: 'error', code: 'PARAMS_INVALID', reasoning: params.error.message, inputs } };
  }
  const bars = await a.ports.candles.latest(playbook.symbol, playbook.interval, a.now, playbook.bars);
  inputs.bars = bars.length;
  if (bars.length < 2) {
    return {
      result: {
        outcome: 'error',
        code: 'NOT_ENOUGH_CANDLES',
        reasoning: `${bars.length} stored ${interval} bar(s) of ${playbook.symbol}: sync or upload candles`,
        inputs,
      },
    };
  }
  const last = bars.length - 1;
  const barTime = iso(bars.time[last]);
  inputs.lastBarTime = barTime;
  inputs.lastClose = bars.close[last];
  const seen = strategy.signal(strategy.prepare(bars, params.data), last);
  const entryText = seen ? priceOf(seen.entry) : null;
  if (!seen || !entryText) {
    return { result: stop('NO_SIGNAL', `${playbook.strategy} sees no trade at the bar of ${barTime}`, inputs) };
  }
  const entry = money(entryText);
  const stopLoss = priceOf(seen.stop);
  const takeProfit = priceOf(seen.target);
  cycle.signal = {
    side: seen.side,
    entry: entryText,
    stopLoss,
    takeProfit,
    confidence: seen.confidence,
    reason: seen.reason,
    barTime,
  };
  const signal = {
    side: seen.side,
    entry: entryText,
    stopLoss,
    takeProfit,
    confidence: seen.confidence,
    reason: seen.reason,
  };
  const account = await loadAccount(a.ports.trading, playbook.accountId);
  const book = await a.ports.ledger.getBook(account.portfolioId);
  const position =
    book && Object.hasOwn(book.book.positions, playbook.symbol) ? book.book.positions[playbook.symbol] : undefined;
  const held = position ? money(positionQuantity(position)) : new Dec(0);
  inputs.held = decimalString(held);
  if (seen.side === 'long' && held.gt(0)) {
    return {
      result: stop(
        'ALREADY_IN_POSITION',
        `Long ${playbook.symbol} already (${decimalString(held)}): its bracket manages it`,
        inputs,
        { signal },
      ),
    };
  }
  if (seen.side === 'short' && !held.gt(0)) {
    return {
      result: stop(
        'NOTHING_TO_SELL',
        `A short signal with no ${playbook.symbol} held: the trading desk opens no shorts`,
        inputs,
        { signal },
      ),
    };
  }
  const long = seen.side === 'long';
  const quantity = long ? sizeOf(playbook, entry) : held;
  if (!quantity.gt(0)) {
    return { result: stop('SIZE_TOO_SMALL', `The sizing gives no whole unit at ${entryText}`, inputs, { signal }) };
  }
  const body: Intent['body'] = {
    accountId: account.accountId,
    symbol: playbook.symbol,
    side: long ? 'buy' : 'sell',
    // a closing sell goes at the market: getting out matters more than the price
    ...(long ? { type: 'limit' as const, limitPrice: entryText } : { type: 'market' as const }),
    quantity: decimalString(quantity),
    timeInForce: 'day',
    strategy: playbook.strategy,
    stopLoss: levelOf(stopLoss, entry, playbook.exits.stopLossPct, !long),
    takeProfit: levelOf(takeProfit, entry, playbook.exits.takeProfitPct, long),
    note: `playbook ${playbook.playbookId} cycle ${cycle.cycleId}: ${seen.reason}`.slice(0, 500),
  };
  const what = long ? `buy ${body.quantity} to open` : `sell the ${body.quantity} held to close`;
  return {
    result: proceed(
      'SIGNAL',
      `${playbook.strategy} signals ${seen.side} at ${entryText} (${seen.reason}): ${what}`,
      inputs,
      {
        signal,
        order: body,
      },
    ),
    intent: { account, body },
  };
}

// --- risk and execution ---------------------------------------------------------------------

/** The trading desk's pre-trade gate on the order, decided and recorded, nothing placed. */
async function riskStep(a: Acting, intent: Intent): Promise<StepResult> {
  const result = await placeOrder(deps(a), intent.body, { dryRun: true });
  const decision = result.decision;
  const inputs = { order: intent.body, gateDecisionId: decision.decisionId, gateInputs: decision.inputs };
  const output = {
    approved: decision.approved,
    checks: decision.checks,
    ...(decision.firstFailure ? { firstFailure: decision.firstFailure } : {}),
  };
  if (!decision.approved) {
    const failed = decision.checks.find((c) => !c.passed);
    return stop(
      'RISK_REJECTED',
      `The risk gate rejects it: ${failed ? `${failed.name} — ${failed.detail}` : 'rejected'}`,
      inputs,
      output,
    );
  }
  return proceed('RISK_APPROVED', `Every one of the gate's ${decision.checks.length} checks passes`, inputs, output);
}

/**
 * The order through the execution engine, the only path to a venue: GUIDE records it as a
 * preview and sends nothing; AUTONOMOUS sends it (a SIMULATION account fills it on its own
 * rules, PAPER and LIVE go to the tenant's broker). The engine decides again on the state then.
 */
async function executionStep(a: Acting, intent: Intent, cycle: Cycle): Promise<StepResult> {
  const inputs = { order: intent.body, mode: intent.account.mode, venue: intent.account.venue };
  let placed: Awaited<ReturnType<typeof placeOrder>>;
  try {
    placed = await placeOrder(deps(a), intent.body);
  } catch (e) {
    if (e instanceof AppError && (e.code === 'RISK_REJECTED' || e.code === 'BROKER_REJECTED')) {
      return stop(e.code, e.message, inputs, e.extra ? { detail: e.extra } : undefined);
    }
    throw e;
  }
  if (placed.kind !== 'order')
    return { outcome: 'error', code: 'NOT_PLACED', reasoning: 'the engine placed nothing', inputs };
  const order = placed.order;
  cycle.order = {
    orderId: order.orderId,
    status: order.status,
    side: order.side,
    quantity: order.quantity,
    decisionId: placed.decision.decisionId,
  };
  const output = {
    orderId: order.orderId,
    status: order.status,
    filledQuantity: order.filledQuantity,
    ...(order.averageFillPrice ? { averageFillPrice: order.averageFillPrice } : {}),
  };
  if (order.status === 'previewed') {
    return proceed(
      'ORDER_PREVIEWED',
      `GUIDE: order ${order.orderId} is recorded as a preview; nothing was sent`,
      inputs,
      output,
    );
  }
  return proceed(
    'ORDER_PLACED',
    `AUTONOMOUS on ${intent.account.venue}: order ${order.orderId} is ${order.status}`,
    inputs,
    output,
  );
}
