import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { listQuery } from '@ballast/platform/schemas/common.js';
import { MARKET_DATA_USES } from '../market-data/index.js';
import { routes as feedbackRoutes } from './feedback-routes.js';
import { routes as optimisationPlaybookRoutes } from './optimisation-playbook.js';
import * as s from './schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const listed = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;
/** playbook changes book the scheduled cycle on the jobs spine (the control table's due index) */
const writer = { minTier: 'navigator', roles: ['trader', 'admin'], uses: { control: 'write', data: 'write' } } as const;
/** a cycle is an order through the trading desk: prices from market data, the broker's key */
const trader = { ...writer, uses: { ...MARKET_DATA_USES, data: 'write' } } as const;
const admin = { ...writer, roles: ['admin'] } as const;

/** Playbooks (saved strategies that trade), their trading cycles and decisions, the halt switch, agent health. */
const cycleRoutes = defineRoutes('automation', {
  createPlaybook: {
    id: 'playbooks.create',
    method: 'POST',
    path: '/v1/playbooks',
    summary:
      'Save a strategy to trade as a draft playbook: its parameters (checked by the strategy: 400 ' +
      'body.params.<field>), symbol and interval, the trading account, sizing, fallback exits, a daily order ' +
      'cap and an optional schedule. Activate it to let its cycle trade',
    access: 'project',
    ...writer,
    idempotent: true,
    request: { body: s.playbookBody },
    responses: { 201: { description: 'Created (draft, version 1)', body: s.playbook, headers: ['ETag', 'Location'] } },
  },
  listPlaybooks: {
    id: 'playbooks.list',
    method: 'GET',
    path: '/v1/playbooks',
    summary: "The project's playbooks, newest first (`status` draft|active|retired)",
    access: 'project',
    ...listed,
    request: { query: s.playbookQuery },
    responses: { 200: { description: 'A page of playbooks', body: s.playbookPage } },
  },
  getPlaybook: {
    id: 'playbooks.get',
    method: 'GET',
    path: '/v1/playbooks/{playbookId}',
    summary: 'Read a playbook (its current version)',
    access: 'project',
    ...reader,
    request: { params: s.playbookParams },
    responses: { 200: { description: 'The playbook', body: s.playbook, headers: ['ETag'] } },
  },
  patchPlaybook: {
    id: 'playbooks.patch',
    method: 'PATCH',
    path: '/v1/playbooks/{playbookId}',
    summary:
      'Change a draft or active playbook (If-Match): the fields sent are replaced, null clears an optional one; ' +
      'a new strategy takes the params sent or its defaults. Every change is a new version; the old one stays ' +
      'readable. A retired playbook is 409 PLAYBOOK_RETIRED',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.playbookParams, body: s.playbookPatch },
    responses: { 200: { description: 'The new version', body: s.playbook, headers: ['ETag'] } },
  },
  deletePlaybook: {
    id: 'playbooks.delete',
    method: 'DELETE',
    path: '/v1/playbooks/{playbookId}',
    summary: 'Delete a draft playbook and its versions (If-Match); an active or retired one is 409 PLAYBOOK_NOT_DRAFT',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.playbookParams },
    responses: { 204: { description: 'Deleted' } },
  },
  listVersions: {
    id: 'playbooks.versions',
    method: 'GET',
    path: '/v1/playbooks/{playbookId}/versions',
    summary: 'Every version of a playbook, newest first (the current one first)',
    access: 'project',
    ...listed,
    request: { params: s.playbookParams, query: listQuery },
    responses: { 200: { description: 'A page of versions', body: s.playbookPage } },
  },
  activatePlaybook: {
    id: 'playbooks.activate',
    method: 'POST',
    path: '/v1/playbooks/{playbookId}/activate',
    summary:
      'draft → active (If-Match optional): its cycle may trade, on its schedule or when asked. One active ' +
      'playbook per strategy, symbol and account (409 PLAYBOOK_ACTIVE_EXISTS); any other move is 409 ' +
      'PLAYBOOK_TRANSITION with from and to',
    access: 'project',
    ...writer,
    ifMatch: 'optional',
    request: { params: s.playbookParams, body: s.transitionBody },
    responses: { 200: { description: 'The active playbook', body: s.playbook, headers: ['ETag'] } },
  },
  retirePlaybook: {
    id: 'playbooks.retire',
    method: 'POST',
    path: '/v1/playbooks/{playbookId}/retire',
    summary:
      'active → retired or draft → retired (If-Match optional): it never trades again and no longer changes; ' +
      'retiring twice is 409 PLAYBOOK_TRANSITION',
    access: 'project',
    ...writer,
    ifMatch: 'optional',
    request: { params: s.playbookParams, body: s.transitionBody },
    responses: { 200: { description: 'The retired playbook', body: s.playbook, headers: ['ETag'] } },
  },
  runCycle: {
    id: 'automation.cycles.run',
    method: 'POST',
    path: '/v1/automation/cycles',
    summary:
      "Run an active playbook's trading cycle now (Idempotency-Key required): supervisor (halt switch, account " +
      'mode and breaker, daily order cap, agent health) → strategy (the signal on the latest stored candles) → ' +
      'risk (the pre-trade gate) → execution (GUIDE: a preview, nothing sent; AUTONOMOUS: the order). Each ' +
      'step writes a decision; the first that says stop ends the cycle, which is 201 whatever its outcome. ' +
      '409 PLAYBOOK_NOT_ACTIVE',
    access: 'project',
    ...trader,
    uses: { ...trader.uses, notify: 'send', keys: 'wrap' },
    idempotent: true,
    idempotencyKey: 'required',
    timeoutSeconds: 29,
    request: { body: s.cycleBody },
    responses: { 201: { description: 'The cycle and its steps', body: s.cycle, headers: ['Location'] } },
  },
  listCycles: {
    id: 'automation.cycles.list',
    method: 'GET',
    path: '/v1/automation/cycles',
    summary: "The project's cycles, newest first; `playbookId` gives one playbook's (its orders and outcomes)",
    access: 'project',
    ...listed,
    request: { query: s.cycleQuery },
    responses: { 200: { description: 'A page of cycles', body: s.cyclePage } },
  },
  getCycle: {
    id: 'automation.cycles.get',
    method: 'GET',
    path: '/v1/automation/cycles/{cycleId}',
    summary: 'A cycle: where it ended and why, its signal and order, and every step it ran',
    access: 'project',
    ...reader,
    request: { params: s.cycleParams },
    responses: { 200: { description: 'The cycle', body: s.cycle } },
  },
  listDecisions: {
    id: 'automation.decisions.list',
    method: 'GET',
    path: '/v1/automation/decisions',
    summary:
      "Every step's decision with its inputs and reasoning: newest cycle first, a cycle's steps last to first; " +
      '`playbookId` or `cycleId` narrows them',
    access: 'project',
    ...listed,
    request: { query: s.decisionQuery },
    responses: { 200: { description: 'A page of decisions', body: s.decisionPage } },
  },
  health: {
    id: 'automation.health',
    method: 'GET',
    path: '/v1/automation/health',
    summary:
      "The halt switch and each active playbook's agent: heartbeats, success and error counts, the recent " +
      'window; more than 50% errors (3+ cycles in the hour) or a scheduled slot over 60 s overdue → unhealthy, ' +
      'which stops its cycles at the supervisor',
    access: 'project',
    ...reader,
    request: {},
    responses: { 200: { description: 'Agent health', body: s.health } },
  },
  halt: {
    id: 'automation.halt',
    method: 'POST',
    path: '/v1/automation/halt',
    summary:
      "Halt the tenant's automation (admin, fresh login, reason): every cycle of every project stops at its " +
      'supervisor until resumed. Orders placed by hand are the risk kill switch’s (POST /v1/risk/halt)',
    access: 'project',
    ...admin,
    freshLogin: true,
    request: { body: s.haltBody },
    responses: { 200: { description: 'The halt switch', body: s.haltState } },
  },
  resume: {
    id: 'automation.resume',
    method: 'POST',
    path: '/v1/automation/resume',
    summary: "Resume the tenant's automation (admin, fresh login, reason); audited",
    access: 'project',
    ...admin,
    freshLogin: true,
    request: { body: s.haltBody },
    responses: { 200: { description: 'The halt switch', body: s.haltState } },
  },
});

/** The automation context's route table: playbooks and cycles above, the feedback loop in its own file. */
export const routes = { ...cycleRoutes, ...feedbackRoutes, ...optimisationPlaybookRoutes };
