import { defineRoutes } from '@ballast/platform/http/define-route.js';
import * as s from './feedback-schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const listed = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;
/** a run may change the trading settings (data) and book an optimisation's plan job (the control table) */
const writer = { minTier: 'navigator', roles: ['trader', 'admin'], uses: { control: 'write', data: 'write' } } as const;
const admin = { ...writer, roles: ['admin'] } as const;

/** The feedback loop: its runs and decisions, the performance snapshots they judge, the tenant's thresholds. */
export const routes = defineRoutes('automation', {
  runFeedback: {
    id: 'feedback.run',
    method: 'POST',
    path: '/v1/feedback/run',
    summary:
      "Run an active playbook's feedback loop now (Idempotency-Key required): its closed round trips against its " +
      "backtest (the source optimisation's winner, or a baseline run on its stored bars), judged by the tenant's " +
      'thresholds; monitor, re-optimise (an optimisation starts) or disable (its strategy budget to zero). 201 ' +
      'with the decision; 409 PLAYBOOK_NOT_ACTIVE',
    access: 'project',
    ...writer,
    idempotent: true,
    idempotencyKey: 'required',
    timeoutSeconds: 29,
    request: { body: s.feedbackRunBody },
    responses: { 201: { description: 'The decision', body: s.feedbackDecision, headers: ['Location'] } },
  },
  listFeedback: {
    id: 'feedback.decisions.list',
    method: 'GET',
    path: '/v1/feedback/decisions',
    summary:
      "The feedback loop's decisions, newest first, with their inputs (live and backtest metrics, thresholds), " +
      'the action and its result; `playbookId` narrows them',
    access: 'project',
    ...listed,
    request: { query: s.feedbackQuery },
    responses: { 200: { description: 'A page of decisions', body: s.feedbackPage } },
  },
  getFeedback: {
    id: 'feedback.decisions.get',
    method: 'GET',
    path: '/v1/feedback/decisions/{decisionId}',
    summary: 'One feedback decision',
    access: 'project',
    ...reader,
    request: { params: s.feedbackParams },
    responses: { 200: { description: 'The decision', body: s.feedbackDecision } },
  },
  listSnapshots: {
    id: 'journal.snapshots.list',
    method: 'GET',
    path: '/v1/journal/snapshots',
    summary:
      "Playbooks' performance snapshots (one a feedback run: trades, wins, losses, win rate, profit factor, " +
      'realised P&L, return, loss streak), newest first; `playbookId`, `from` and `to` (asOf, inclusive) narrow them',
    access: 'project',
    ...listed,
    request: { query: s.snapshotQuery },
    responses: { 200: { description: 'A page of snapshots', body: s.snapshotPage } },
  },
  getFeedbackSettings: {
    id: 'feedback.settings.get',
    method: 'GET',
    path: '/v1/feedback/settings',
    summary: "The tenant's feedback thresholds (the defaults at version 0 before the first write)",
    access: 'project',
    ...reader,
    request: {},
    responses: { 200: { description: 'The thresholds', body: s.feedbackSettings, headers: ['ETag'] } },
  },
  putFeedbackSettings: {
    id: 'feedback.settings.put',
    method: 'PUT',
    path: '/v1/feedback/settings',
    summary:
      'Replace the tenant\'s feedback thresholds (admin, If-Match; `"0"` before the first write); what is left ' +
      'out takes its default; audited',
    access: 'project',
    ...admin,
    ifMatch: 'required',
    request: { body: s.feedbackSettingsBody },
    responses: { 200: { description: 'The thresholds as stored', body: s.feedbackSettings, headers: ['ETag'] } },
  },
});
