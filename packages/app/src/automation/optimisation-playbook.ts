import { AppError, conflict, notFound } from '@ballast/platform/errors.js';
import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { lazy, resolveSchema } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { optimisationWinner, STRATEGY_IDS } from '../research/index.js';
import { OPTIMISATION_REF } from './ids.js';
import { createDraftPlaybook } from './playbooks.js';
import type { AutomationHandler } from './ports.js';
import { playbook, playbookBody } from './schemas.js';

/**
 * "Make a playbook of the winner": the optimisation's rank-1 candidate becomes a draft playbook.
 * The route lives here, not in research, because what it creates is automation's: research's index
 * gives the winner, and automation already depends on research (never the other way round).
 */

export const optimisationPlaybookParams = lazy(() =>
  z.strictObject({ optimisationId: z.string().check(z.regex(OPTIMISATION_REF, 'is not an optimisation id')) }),
);

/** The playbook's own fields; strategy, parameters, symbol and interval are the winner's. */
export const optimisationPlaybookBody = lazy(() =>
  z.extend(
    z.omit(resolveSchema(playbookBody), {
      name: true,
      strategy: true,
      params: true,
      symbol: true,
      interval: true,
      sourceOptimisationId: true,
    }),
    {
      /** default: "<strategy> <symbol> <interval> (optimisation <id>)" */
      name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(120))),
    },
  ),
);

export const routes = defineRoutes('automation', {
  playbookFromOptimisation: {
    id: 'optimisations.playbook',
    method: 'POST',
    path: '/v1/optimisations/{optimisationId}/playbook',
    summary:
      "Save a completed optimisation's winner as a draft playbook: its strategy, parameters, symbol and " +
      'interval, with the account, sizing, exits, cap and schedule sent. 409 OPTIMISATION_NOT_COMPLETED; ' +
      '422 WINNER_FAILED_CONSTRAINTS or LOOK_AHEAD_BIASED: a winner that broke a constraint or whose signals ' +
      'saw the future is not traded',
    access: 'project',
    minTier: 'navigator',
    roles: ['trader', 'admin'],
    uses: { control: 'write', data: 'write' },
    idempotent: true,
    request: { params: optimisationPlaybookParams, body: optimisationPlaybookBody },
    responses: {
      201: { description: 'Created (draft, version 1)', body: playbook, headers: ['ETag', 'Location'] },
    },
  },
});

type R = typeof routes;

export const playbookFromOptimisation: AutomationHandler<R['playbookFromOptimisation']> = async (
  { params, body },
  h,
) => {
  const { optimisationId } = params;
  const store = h.ports.optimisation.optimisations;
  const winner = await optimisationWinner(store, optimisationId);
  if (!winner) {
    const record = await store.get(optimisationId);
    if (!record) throw notFound('OPTIMISATION_NOT_FOUND', `No optimisation ${optimisationId} in this project`);
    throw conflict(
      'OPTIMISATION_NOT_COMPLETED',
      record.status === 'completed'
        ? `Optimisation ${optimisationId} evaluated no candidate: there is no winner to trade`
        : `Optimisation ${optimisationId} is ${record.status}: only a completed optimisation has a winner`,
    );
  }
  if (!winner.best.passed) {
    throw new AppError(
      422,
      'WINNER_FAILED_CONSTRAINTS',
      `No candidate of optimisation ${optimisationId} met its constraints; its best is not traded`,
      { extra: { constraints: winner.constraints } },
    );
  }
  if (winner.lookAhead?.biased) {
    throw new AppError(
      422,
      'LOOK_AHEAD_BIASED',
      `The winner of optimisation ${optimisationId} changes its signals when later bars are removed: ` +
        'its backtest saw the future, so it is not traded',
      { extra: { lookAhead: winner.lookAhead } },
    );
  }
  const strategy = STRATEGY_IDS.find((known) => known === winner.strategy);
  if (!strategy) throw conflict('STRATEGY_RETIRED', `Strategy ${winner.strategy} is no longer offered`);
  const { name, ...rest } = body;
  const created = await createDraftPlaybook(
    {
      automation: h.ports.automation,
      trading: h.ports.trading,
      unitOfWork: h.unitOfWork,
      now: h.now,
      actor: h.ctx.principal.id,
    },
    {
      ...rest,
      name: name ?? `${winner.strategy} ${winner.symbol} ${winner.interval} (optimisation ${optimisationId})`,
      strategy,
      params: winner.best.params,
      symbol: winner.symbol,
      interval: winner.interval,
      sourceOptimisationId: optimisationId,
    },
  );
  return {
    status: 201,
    body: created,
    headers: { ETag: etag(created.version), Location: `/v1/playbooks/${created.playbookId}` },
  };
};
