import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { emptyBody } from '@ballast/platform/schemas/common.js';
import * as s from './optimisation-schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const listed = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;
const writer = { minTier: 'navigator', roles: ['trader', 'admin'], uses: { control: 'write', data: 'write' } } as const;
const catalogue = { minTier: 'observer', roles: [], uses: { control: 'read' } } as const;

/** Optimisations: a parameter search fanned out to chunk workers on the jobs spine, ranked, checked. */
export const routes = defineRoutes('research', {
  createOptimisation: {
    id: 'optimisations.create',
    method: 'POST',
    path: '/v1/optimisations',
    summary:
      'Start an optimisation of a strategy on stored candles (202): a grid, random or guided search of its ' +
      'parameter space scored by an objective under constraints, evaluated by chunk workers; optionally a ' +
      'walk-forward report. 400 for a space the strategy does not have or a grid beyond maxCandidates; ' +
      '422 NOT_ENOUGH_CANDLES',
    access: 'project',
    ...writer,
    idempotent: true,
    request: { body: s.createOptimisationBody },
    responses: { 202: { description: 'Accepted: the plan job is due', body: s.optimisation, headers: ['Location'] } },
  },
  listOptimisations: {
    id: 'optimisations.list',
    method: 'GET',
    path: '/v1/optimisations',
    summary: "The project's optimisations, newest first",
    access: 'project',
    ...listed,
    request: { query: s.optimisationQuery },
    responses: { 200: { description: 'A page of optimisations', body: s.optimisationPage } },
  },
  getOptimisation: {
    id: 'optimisations.get',
    method: 'GET',
    path: '/v1/optimisations/{optimisationId}',
    summary: 'An optimisation: status, done/total, the best candidate so far, an ETA from the rate so far',
    access: 'project',
    ...reader,
    request: { params: s.optimisationParams },
    responses: { 200: { description: 'The optimisation', body: s.optimisation } },
  },
  cancelOptimisation: {
    id: 'optimisations.cancel',
    method: 'POST',
    path: '/v1/optimisations/{optimisationId}/cancel',
    summary:
      'Cancel a pending or running optimisation: workers stop at their next chunk, the results so far are kept ' +
      'and ranked (409 OPTIMISATION_ENDED when it has already ended)',
    access: 'project',
    ...writer,
    request: { params: s.optimisationParams, body: emptyBody },
    responses: { 200: { description: 'The optimisation, cancelled', body: s.optimisation } },
  },
  optimisationResults: {
    id: 'optimisations.results',
    method: 'GET',
    path: '/v1/optimisations/{optimisationId}/results',
    summary:
      'The evaluated candidates, ranked (constraint passers first, then objective descending, ties by index): ' +
      'parameters, every metric, the objective and each constraint’s outcome',
    access: 'project',
    ...listed,
    request: { params: s.optimisationParams, query: s.resultsQuery },
    responses: { 200: { description: 'A page of ranked results', body: s.resultPage } },
  },
  optimisationWalkForward: {
    id: 'optimisations.walkForward',
    method: 'GET',
    path: '/v1/optimisations/{optimisationId}/walk-forward',
    summary:
      "The walk-forward report: each fold's in-sample winner and its out-of-sample metrics, the share of folds " +
      'with a positive out-of-sample Sharpe, overfitting figures (404 WALK_FORWARD_NOT_REQUESTED, ' +
      '409 WALK_FORWARD_NOT_READY)',
    access: 'project',
    ...reader,
    request: { params: s.optimisationParams },
    responses: { 200: { description: 'The report', body: s.walkForwardReport } },
  },
  optimisationMethods: {
    id: 'optimisation.methods',
    method: 'GET',
    path: '/v1/optimisation/methods',
    summary: 'The search methods an optimisation can use',
    access: 'project',
    ...catalogue,
    request: {},
    responses: { 200: { description: 'The methods', body: s.methodList } },
  },
  optimisationObjectives: {
    id: 'optimisation.objectives',
    method: 'GET',
    path: '/v1/optimisation/objectives',
    summary: 'The objectives an optimisation can maximise',
    access: 'project',
    ...catalogue,
    request: {},
    responses: { 200: { description: 'The objectives', body: s.objectiveList } },
  },
});
