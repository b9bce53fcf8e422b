import { type D, Dec, decimalString, money } from '@ballast/core/money.js';
import { nextRunAt, recurrenceErrors, recurrenceOf } from '@ballast/core/schedule/recurrence.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { livePortfolio } from '../portfolio/index.js';
import { placeOrder } from '../trading/index.js';
import { newRuleId, newRuleRunId } from './ids.js';
import { jobs, STOP_LOSS_WATCH_INTERVAL_MS } from './jobs.js';
import type { RebalanceHandler, RebalanceJobExhausted, RebalanceJobHandler } from './ports.js';
import { type Acting, acting, accountFor, deps, jobActing, slotTaken } from './rebalance.js';
import type { RuleBody } from './rebalance-schemas.js';
import { sendRunNotices, stageRunFailed } from './run-notices.js';
import type { routes } from './routes.js';
import { MAX_RULES, type Rule, type RuleRun } from './store.js';

type R = typeof routes;
type J = typeof jobs;
const iso = (ms: number) => new Date(ms).toISOString();
const resourceOf = (portfolioId: string, ruleId: string) => `portfolio/${portfolioId}/rule/${ruleId}`;
/** a watch whose check is this far behind is dead (its chain of due work broke): it is started again */
const WATCH_STALE_MS = 2 * STOP_LOSS_WATCH_INTERVAL_MS;
/**
 * The watch's nextAt once it stopped itself (no armed stop left): older than any stale bound, so
 * the next stop-loss rule armed starts it again, however soon after it stopped.
 */
const WATCH_STOPPED = iso(0);
/**
 * The watch's next check: an interval on from the minute this one ran in. Due work waits for the
 * first minute boundary at or after its instant, and a run starts a little after its boundary, so
 * `now + interval` would land just past the next boundary and check only every other minute.
 */
const nextCheckAfter = (nowMs: number) => Math.floor(nowMs / 60_000) * 60_000 + STOP_LOSS_WATCH_INTERVAL_MS;
/** fractional DCA buys in steps of 0.000001 */
const FRACTION_PLACES = 6;

// --- the rule's fields ------------------------------------------------------------------------

/** What a body defines: a PUT replaces it all, so what it omits is cleared. */
function definitionOf(body: RuleBody): Pick<Rule, 'kind' | 'accountId' | 'symbol' | 'enabled' | 'dca' | 'stopLoss'> {
  const common = { accountId: body.accountId, symbol: body.symbol, enabled: body.enabled };
  if (body.kind === 'stop_loss') return { kind: 'stop_loss', ...common, stopLoss: { stopPct: body.stopPct } };
  return {
    kind: 'dca',
    ...common,
    dca: {
      frequency: body.frequency,
      ...(body.dayOfWeek !== undefined ? { dayOfWeek: body.dayOfWeek } : {}),
      ...(body.dayOfMonth !== undefined ? { dayOfMonth: body.dayOfMonth } : {}),
      timeOfDay: body.timeOfDay,
      timezone: body.timezone,
      excludeWeekends: body.excludeWeekends,
      amount: body.amount,
      ...(body.maxPrice !== undefined ? { maxPrice: body.maxPrice } : {}),
      fractional: body.fractional,
    },
  };
}

/** The calendar's own checks beyond the schema's (a run must exist): 400 naming the field. */
function checkRecurrence(rule: Pick<Rule, 'dca'>): void {
  if (!rule.dca) return;
  const errors = recurrenceErrors(recurrenceOf(rule.dca));
  if (errors.length) {
    throw badRequest(
      'VALIDATION_FAILED',
      'The recurrence is invalid',
      errors.map((e) => ({ path: `body.${e.path}`, message: e.message })),
    );
  }
}

/** A DCA rule's next run from `afterMs` (null while disabled); a stop-loss has none. */
function nextRunOf(rule: Pick<Rule, 'kind' | 'enabled' | 'dca'>, afterMs: number): Pick<Rule, 'nextRunAt'> {
  if (rule.kind !== 'dca' || !rule.dca) return {};
  return { nextRunAt: rule.enabled ? iso(nextRunAt(recurrenceOf(rule.dca), afterMs)) : null };
}

// --- due work --------------------------------------------------------------------------------

function scheduleDca(a: Acting, uow: UnitOfWork, rule: Rule): void {
  if (rule.kind !== 'dca' || !rule.enabled || !rule.nextRunAt) return;
  a.ports.due.schedule(uow, {
    job: jobs.dcaRun.id,
    tenantId: a.tenantId,
    env: a.env,
    projectId: a.projectId,
    workId: rule.ruleId,
    dueAt: rule.nextRunAt,
    payload: { portfolioId: rule.portfolioId, ruleId: rule.ruleId },
  });
}

function scheduleWatch(a: Acting, uow: UnitOfWork, portfolioId: string, dueAt: string): void {
  a.ports.due.schedule(uow, {
    job: jobs.stopLossWatch.id,
    tenantId: a.tenantId,
    env: a.env,
    projectId: a.projectId,
    workId: `stop-loss-${portfolioId}`,
    dueAt,
    payload: { portfolioId },
  });
}

/**
 * The portfolio's stop-loss watch runs (staged into `uow`): one that is absent, stopped or dead
 * starts now. A running one is written back unchanged at its next version, so a watch run that
 * decided to stop on the rules it read before this write loses its race and looks again.
 */
async function ensureWatch(a: Acting, uow: UnitOfWork, portfolioId: string): Promise<void> {
  const watch = await a.ports.planning.getWatch(portfolioId);
  if (watch && Date.parse(watch.nextAt) >= a.now - WATCH_STALE_MS) {
    a.ports.planning.putWatch(uow, portfolioId, watch.nextAt, watch.version);
    return;
  }
  const at = iso(a.now);
  a.ports.planning.putWatch(uow, portfolioId, at, watch?.version);
  scheduleWatch(a, uow, portfolioId, at);
}

const armedStop = (rule: Rule) => rule.kind === 'stop_loss' && rule.enabled && rule.stopLoss !== undefined;

// --- routes ----------------------------------------------------------------------------------

async function ruleOf(a: Acting, portfolioId: string, ruleId: string): Promise<Rule> {
  await livePortfolio(a.ports.portfolios, portfolioId);
  const found = await a.ports.planning.getRule(portfolioId, ruleId);
  if (!found) throw notFound('RULE_NOT_FOUND', `No rule ${ruleId} in this portfolio`);
  return found;
}

/** Stages the rule's write with what it makes due: its next DCA run, or the portfolio's stop-loss watch. */
async function stageRule(a: Acting, uow: UnitOfWork, rule: Rule, expectedVersion: number | undefined) {
  a.ports.planning.putRule(uow, rule, expectedVersion);
  scheduleDca(a, uow, rule);
  if (armedStop(rule)) await ensureWatch(a, uow, rule.portfolioId);
}

export const createRule: RebalanceHandler<R['createRule']> = async ({ params, body }, h) => {
  const a = acting(h);
  const { portfolioId } = params;
  await livePortfolio(h.ports.portfolios, portfolioId);
  const definition = definitionOf(body);
  checkRecurrence(definition);
  await accountFor(a, portfolioId, body.accountId);
  if ((await h.ports.planning.allRules(portfolioId)).length >= MAX_RULES) {
    throw new AppError(422, 'RULE_LIMIT_REACHED', `A portfolio has at most ${MAX_RULES} rules; delete one first`);
  }
  const at = iso(h.now);
  const rule: Rule = {
    ruleId: newRuleId(h.now),
    portfolioId,
    ...definition,
    ...nextRunOf(definition, h.now),
    createdAt: at,
    createdBy: a.actor,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  await stageRule(a, uow, rule, undefined);
  uow.audit({ action: 'rule.create', resource: resourceOf(portfolioId, rule.ruleId), after: rule });
  await uow.commit();
  return {
    status: 201,
    body: rule,
    headers: { ETag: etag(rule.version), Location: `/v1/portfolios/${portfolioId}/rules/${rule.ruleId}` },
  };
};

export const listRules: RebalanceHandler<R['listRules']> = async ({ params, query }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const page = await h.ports.planning.listRules(params.portfolioId, query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

export const getRule: RebalanceHandler<R['getRule']> = async ({ params }, h) => {
  const rule = await ruleOf(acting(h), params.portfolioId, params.ruleId);
  return { status: 200, body: rule, headers: { ETag: etag(rule.version) } };
};

export const putRule: RebalanceHandler<R['putRule']> = async ({ params, body, ifMatch }, h) => {
  const a = acting(h);
  const before = await ruleOf(a, params.portfolioId, params.ruleId);
  if (before.version !== ifMatch) throw preconditionFailed(`The rule is at version ${before.version}`);
  if (body.kind !== before.kind) {
    throw new AppError(
      422,
      'RULE_KIND_IMMUTABLE',
      `Rule ${before.ruleId} is a ${before.kind} rule; create a new rule for a ${body.kind}`,
    );
  }
  const definition = definitionOf(body);
  checkRecurrence(definition);
  await accountFor(a, before.portfolioId, body.accountId);
  const after: Rule = {
    ruleId: before.ruleId,
    portfolioId: before.portfolioId,
    ...definition,
    ...nextRunOf(definition, h.now),
    ...(before.lastRunAt ? { lastRunAt: before.lastRunAt } : {}),
    // a stop that fired stays marked while it is disabled; enabling it re-arms it
    ...(before.triggeredAt && !definition.enabled ? { triggeredAt: before.triggeredAt } : {}),
    createdAt: before.createdAt,
    ...(before.createdBy ? { createdBy: before.createdBy } : {}),
    updatedAt: iso(h.now),
    version: before.version + 1,
  };
  const uow = h.unitOfWork();
  await stageRule(a, uow, after, before.version);
  uow.audit({ action: 'rule.update', resource: resourceOf(after.portfolioId, after.ruleId), before, after });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const deleteRule: RebalanceHandler<R['deleteRule']> = async ({ params, ifMatch }, h) => {
  const before = await ruleOf(acting(h), params.portfolioId, params.ruleId);
  if (before.version !== ifMatch) throw preconditionFailed(`The rule is at version ${before.version}`);
  const uow = h.unitOfWork();
  // its due work finds no rule and does nothing; a watch with no armed stop left stops itself
  h.ports.planning.deleteRule(uow, before, ifMatch);
  uow.audit({ action: 'rule.delete', resource: resourceOf(before.portfolioId, before.ruleId), before, after: null });
  await uow.commit();
  return { status: 204 };
};

export const listRuleRuns: RebalanceHandler<R['ruleRuns']> = async ({ params, query }, h) => {
  const { portfolioId, ruleId } = params;
  await livePortfolio(h.ports.portfolios, portfolioId);
  const [rule, page] = await Promise.all([
    h.ports.planning.getRule(portfolioId, ruleId),
    h.ports.planning.listRuleRuns(portfolioId, ruleId, query),
  ]);
  // a deleted rule's runs stay listed; a rule that never was is a 404
  if (!rule && !page.items.length && !query.cursor) {
    throw notFound('RULE_NOT_FOUND', `No rule ${ruleId} in this portfolio`);
  }
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

// --- jobs ------------------------------------------------------------------------------------

/** A job's portfolio may have been deleted since its work was scheduled: then the work is stale. */
async function portfolioIsLive(a: Acting, portfolioId: string): Promise<boolean> {
  try {
    await livePortfolio(a.ports.portfolios, portfolioId);
    return true;
  } catch (e) {
    if (e instanceof AppError && e.status === 404) return false;
    throw e;
  }
}

/** The price a rule trades on: the account's own posted price (a simulation's), else the market's latest. */
async function priceOf(a: Acting, accountId: string, symbol: string): Promise<D | undefined> {
  const seen = (await a.ports.trading.getRisk(accountId))?.lastPrices[symbol];
  if (seen) return money(seen);
  const latest = (await a.ports.prices.latest([symbol])).get(symbol);
  return latest ? money(latest.price) : undefined;
}

const failure = (e: AppError) => `${e.code}: ${e.message}`;
type Outcome = Omit<RuleRun, 'runId' | 'ruleId' | 'at'>;

/** A rule's failed run, told to its creator (else its account's owner) in the unit of work recording it. */
function stageRuleFailed(a: Acting, uow: UnitOfWork, rule: Rule, run: RuleRun, what: string) {
  const kind = rule.kind === 'dca' ? 'DCA' : 'Stop-loss';
  return stageRunFailed(a, uow, {
    ...(rule.createdBy ? { createdBy: rule.createdBy } : {}),
    accountId: rule.accountId,
    subject: `${kind} rule on ${rule.symbol} failed`,
    body:
      `The ${kind} rule ${rule.ruleId} on ${rule.symbol} (portfolio ${rule.portfolioId}, account ` +
      `${rule.accountId}) failed ${what} at ${run.at}: ${run.detail}.`,
    resource: `portfolios/${rule.portfolioId}/rules/${rule.ruleId}/runs`,
  });
}

/**
 * Sends the rule's market order through the trading desk as an allocation order (the one path to a
 * venue: the risk gate decides, GUIDE only previews). A refusal throws the desk's AppError.
 */
async function sendOrder(
  a: Acting,
  rule: Rule,
  side: 'buy' | 'sell',
  quantity: string,
  price: D,
  why: string,
): Promise<Outcome> {
  const base = { price: decimalString(price), quantity };
  const placed = await placeOrder(
    deps(a),
    {
      accountId: rule.accountId,
      symbol: rule.symbol,
      side,
      type: 'market',
      quantity,
      timeInForce: 'day',
      note: `${rule.kind} ${rule.ruleId}`,
    },
    { intent: 'allocation' },
  );
  if (placed.kind !== 'order') return { ...base, outcome: 'failed', detail: 'NO_ORDER: the desk placed no order' };
  const { order } = placed;
  const what = `${side} ${quantity} ${rule.symbol} at about ${base.price} (${why})`;
  const sent = { ...base, orderId: order.orderId };
  if (order.status === 'rejected')
    return { ...sent, outcome: 'failed', detail: `the venue rejected the order: ${what}` };
  if (order.status === 'previewed')
    return { ...sent, outcome: 'previewed', detail: `GUIDE: previewed, not sent: ${what}` };
  return { ...sent, outcome: 'ordered', detail: `${what}; the order is ${order.status}` };
}

/** What one DCA slot does once claimed: price it, size it, buy — or say why not. */
async function dcaOutcome(a: Acting, rule: Rule): Promise<Outcome> {
  const dca = rule.dca;
  if (!dca) return { outcome: 'skipped', detail: 'the rule has no DCA terms' };
  try {
    await accountFor(a, rule.portfolioId, rule.accountId);
    const price = await priceOf(a, rule.accountId, rule.symbol);
    if (!price || price.lte(0)) {
      return {
        outcome: 'failed',
        detail: `PRICE_UNAVAILABLE: no price for ${rule.symbol} from market data or the account's price updates`,
      };
    }
    const priced = { price: decimalString(price) };
    if (dca.maxPrice !== undefined && price.gt(money(dca.maxPrice))) {
      const detail = `price ${priced.price} is above the rule's maxPrice ${dca.maxPrice}`;
      return { ...priced, outcome: 'skipped', detail };
    }
    const places = dca.fractional ? FRACTION_PLACES : 0;
    const quantity = money(dca.amount).div(price).toDecimalPlaces(places, Dec.ROUND_DOWN);
    if (quantity.lte(0)) {
      const unit = dca.fractional ? '0.000001 units' : 'one unit';
      const detail = `${dca.amount} buys less than ${unit} of ${rule.symbol} at ${priced.price}`;
      return { ...priced, quantity: '0', outcome: 'skipped', detail };
    }
    return await sendOrder(a, rule, 'buy', decimalString(quantity), price, `dca of ${dca.amount}`);
  } catch (e) {
    // the slot is claimed: whatever refused it (the gate, the account, market data) is this run's outcome
    if (e instanceof AppError) return { outcome: 'failed', detail: failure(e) };
    throw e;
  }
}

/** The slot a delivery carries is still the DCA rule's next run: nothing has claimed it. */
const dcaSlotIsDue = (rule: Rule | undefined, dueAt: string): rule is Rule & { dca: NonNullable<Rule['dca']> } =>
  rule !== undefined && rule.enabled && rule.kind === 'dca' && rule.dca !== undefined && rule.nextRunAt === dueAt;

/**
 * Stages the claim of a DCA rule's slot with the rule moved on to its next run from now (after an
 * outage, one catch-up run, not one per missed slot) and that run booked; answers the moved rule.
 */
function claimDcaSlot(a: Acting, uow: UnitOfWork, rule: Rule & { dca: NonNullable<Rule['dca']> }, dueAt: string) {
  const moved: Rule = {
    ...rule,
    nextRunAt: iso(nextRunAt(recurrenceOf(rule.dca), a.now)),
    lastRunAt: iso(a.now),
    version: rule.version + 1,
  };
  // first: when both fail (a second delivery), the claim's 409 is the one reported
  a.ports.planning.claimSlot(uow, rule.portfolioId, rule.ruleId, dueAt);
  a.ports.planning.putRule(uow, moved, rule.version);
  scheduleDca(a, uow, moved);
  return moved;
}

/**
 * Runs a DCA rule's slot once. A stale item (the rule changed, was disabled or deleted since)
 * does nothing. The slot is claimed in the unit of work that moves the rule on to its next run
 * from now — after an outage, one catch-up run, not one per missed slot — and schedules it; a
 * second delivery of the slot loses the claim. Then the buy, and the run's record.
 */
export const runDca: RebalanceJobHandler<J['dcaRun']> = async ({ portfolioId, ruleId }, h) => {
  const a = jobActing(h);
  const dueAt = h.envelope.dueAt;
  if (!(await portfolioIsLive(a, portfolioId))) return 'skipped';
  const rule = await h.ports.planning.getRule(portfolioId, ruleId);
  if (!dcaSlotIsDue(rule, dueAt)) return 'skipped';
  const claim = h.unitOfWork();
  const moved = claimDcaSlot(a, claim, rule, dueAt);
  try {
    await claim.commit();
  } catch (e) {
    if (slotTaken(e)) return 'skipped';
    throw e;
  }
  const run: RuleRun = { runId: newRuleRunId(h.now), ruleId, at: iso(h.now), ...(await dcaOutcome(a, moved)) };
  const uow = h.unitOfWork();
  h.ports.planning.addRuleRun(uow, portfolioId, run);
  uow.audit({ action: 'rule.run', resource: resourceOf(portfolioId, ruleId), after: { ...run, slot: dueAt } });
  // the slot ran once (its claim committed first): its failure is told once, with its record
  const told = run.outcome === 'failed' ? await stageRuleFailed(a, uow, moved, run, `its ${dueAt} buy`) : [];
  await uow.commit();
  await sendRunNotices(a, told);
  return 'processed';
};

/**
 * A DCA slot whose every delivery failed before it was claimed (its message goes to the
 * dead-letter queue): the slot is claimed now, the rule moves on, and the run is recorded as
 * failed with RUN_FAILED and told to the rule's creator once (`schedule.failed`) in the same
 * transaction. A slot claimed meanwhile, or a rule changed, disabled or deleted, owes nothing.
 */
export const dcaRunExhausted: RebalanceJobExhausted<J['dcaRun']> = async ({ portfolioId, ruleId }, h, _e, n) => {
  const a = jobActing(h);
  const dueAt = h.envelope.dueAt;
  const rule = await h.ports.planning.getRule(portfolioId, ruleId);
  if (!dcaSlotIsDue(rule, dueAt) || !(await portfolioIsLive(a, portfolioId))) return;
  const uow = h.unitOfWork();
  const moved = claimDcaSlot(a, uow, rule, dueAt);
  const run: RuleRun = {
    runId: newRuleRunId(h.now),
    ruleId,
    at: iso(h.now),
    outcome: 'failed',
    detail: `RUN_FAILED: the run failed after ${n} attempts and was set aside`,
  };
  h.ports.planning.addRuleRun(uow, portfolioId, run);
  uow.audit({ action: 'rule.run', resource: resourceOf(portfolioId, ruleId), after: { ...run, slot: dueAt } });
  const told = await stageRuleFailed(a, uow, moved, run, `its ${dueAt} buy`);
  try {
    await uow.commit();
  } catch (e) {
    if (slotTaken(e)) return;
    throw e;
  }
  await sendRunNotices(a, told);
};

/** The position's quantity and average cost (Σ cost basis / Σ quantity of its open lots), if any is held. */
function positionOf(lots: ReadonlyArray<{ quantity: string; costBasis: string }>) {
  let quantity = new Dec(0);
  let cost = new Dec(0);
  for (const lot of lots) {
    quantity = quantity.plus(money(lot.quantity));
    cost = cost.plus(money(lot.costBasis));
  }
  return quantity.gt(0) ? { quantity, averageCost: cost.div(quantity) } : undefined;
}

/**
 * Records a fired stop's run and disarms it (a stop sells once), re-reading the rule if it moved
 * meanwhile. A stop whose sell was refused tells the rule's creator, with the run's record.
 */
async function disarm(a: Acting, rule: Rule, run: RuleRun): Promise<void> {
  let current: Rule | undefined = rule;
  for (let attempt = 1; ; attempt++) {
    const uow = a.unitOfWork();
    a.ports.planning.addRuleRun(uow, rule.portfolioId, run);
    const told = run.outcome === 'failed' ? await stageRuleFailed(a, uow, rule, run, 'its stop-loss sell') : [];
    if (current) {
      const after: Rule = {
        ...current,
        enabled: false,
        triggeredAt: run.at,
        updatedAt: run.at,
        version: current.version + 1,
      };
      a.ports.planning.putRule(uow, after, current.version);
      uow.audit({
        action: 'rule.trigger',
        resource: resourceOf(rule.portfolioId, rule.ruleId),
        before: current,
        after,
      });
    }
    try {
      await uow.commit();
      await sendRunNotices(a, told);
      return;
    } catch (e) {
      const raced = e instanceof AppError && e.status === 409 && e.code === 'WRITE_CONFLICT';
      if (!raced || attempt >= 3) throw e;
      current = await a.ports.planning.getRule(rule.portfolioId, rule.ruleId);
    }
  }
}

/** Checks one armed stop: true when it fired (sold, or tried to and was refused), false while it stays armed. */
async function checkStop(a: Acting, rule: Rule, lots: ReadonlyArray<{ quantity: string; costBasis: string }>) {
  const stopPct = rule.stopLoss?.stopPct;
  const position = positionOf(lots);
  if (!stopPct || !position) return false;
  let price: D | undefined;
  try {
    price = await priceOf(a, rule.accountId, rule.symbol);
  } catch (e) {
    // no quote this minute (market data is down): the stop stays armed and is checked again
    if (e instanceof AppError) return false;
    throw e;
  }
  if (!price) return false;
  const stop = position.averageCost.times(new Dec(1).minus(money(stopPct).div(100)));
  if (price.gt(stop)) return false;
  const quantity = decimalString(position.quantity);
  const why =
    `price ${decimalString(price)} is at or below the stop ${decimalString(stop.toDecimalPlaces(6))}, ` +
    `${stopPct}% under the average cost ${decimalString(position.averageCost.toDecimalPlaces(6))}`;
  const run = { runId: newRuleRunId(a.now), ruleId: rule.ruleId, at: iso(a.now) };
  let outcome: Outcome;
  try {
    await accountFor(a, rule.portfolioId, rule.accountId);
    outcome = await sendOrder(a, rule, 'sell', quantity, price, why);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    outcome = { price: decimalString(price), quantity, outcome: 'failed', detail: failure(e) };
    if (e.status >= 500) {
      // nothing reached the venue (its budget, an outage): the run says so and the stop stays armed
      const uow = a.unitOfWork();
      a.ports.planning.addRuleRun(uow, rule.portfolioId, { ...run, ...outcome });
      await uow.commit();
      return false;
    }
  }
  await disarm(a, rule, { ...run, ...outcome });
  return true;
}

/**
 * Checks a portfolio's armed stop-loss rules against the latest prices. A stale item (the watch
 * moved on or was restarted since) does nothing. A crossed stop sells the whole position and
 * disarms its rule; while any stop stays armed the watch books its next check, else it stops.
 */
export const watchStopLoss: RebalanceJobHandler<J['stopLossWatch']> = async ({ portfolioId }, h) => {
  const a = jobActing(h);
  const watch = await h.ports.planning.getWatch(portfolioId);
  if (!watch || watch.nextAt !== h.envelope.dueAt) return 'skipped';
  const live = await portfolioIsLive(a, portfolioId);
  let armed = 0;
  if (live) {
    const [rules, record] = await Promise.all([
      h.ports.planning.allRules(portfolioId),
      h.ports.ledger.getBook(portfolioId),
    ]);
    for (const rule of rules.filter(armedStop)) {
      const lots = record?.book.positions[rule.symbol]?.lots ?? [];
      if (!(await checkStop(a, rule, lots))) armed++;
    }
  }
  const uow = h.unitOfWork();
  if (armed > 0) {
    const nextAt = iso(nextCheckAfter(h.now));
    h.ports.planning.putWatch(uow, portfolioId, nextAt, watch.version);
    scheduleWatch(a, uow, portfolioId, nextAt);
  } else {
    h.ports.planning.putWatch(uow, portfolioId, WATCH_STOPPED, watch.version);
  }
  await uow.commit();
  return 'processed';
};
