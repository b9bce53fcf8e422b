import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { emptyBody, listQuery } from '@ballast/platform/schemas/common.js';
import { MARKET_DATA_USES } from '../market-data/index.js';
import { routes as journalRoutes } from './journal-routes.js';
import * as j from './journal-schemas.js';
import * as s from './schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const listed = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;
/** orders and fills: prices from market data, the broker's key from the secret resolver */
const trader = {
  minTier: 'navigator',
  roles: ['trader', 'admin'],
  uses: { ...MARKET_DATA_USES, data: 'write' },
} as const;
const admin = { ...trader, roles: ['admin'] } as const;
/** moves money or changes what may move it: a retry must never apply it twice */
const once = { idempotent: true, idempotencyKey: 'required' } as const;

/** Trading accounts, the risk gate, orders and the journal of a project. */
const deskRoutes = defineRoutes('trading', {
  createAccount: {
    id: 'accounts.create',
    method: 'POST',
    path: '/v1/accounts',
    summary:
      'Open a trading account on a venue: SIMULATION (a virtual account, 10,000 by default), PAPER or LIVE ' +
      "(the tenant's broker). LIVE needs a fresh login, confirm: true and a reason. Every account starts in GUIDE",
    access: 'project',
    ...trader,
    ...once,
    request: { body: s.createAccountBody },
    responses: { 201: { description: 'Opened', body: s.account, headers: ['ETag', 'Location'] } },
  },
  listAccounts: {
    id: 'accounts.list',
    method: 'GET',
    path: '/v1/accounts',
    summary: "The project's trading accounts, newest first",
    access: 'project',
    ...listed,
    request: { query: listQuery },
    responses: { 200: { description: 'A page of accounts', body: s.accountPage } },
  },
  getAccount: {
    id: 'accounts.get',
    method: 'GET',
    path: '/v1/accounts/{accountId}',
    summary: 'Read a trading account',
    access: 'project',
    ...reader,
    request: { params: s.accountParams },
    responses: { 200: { description: 'The account', body: s.account, headers: ['ETag'] } },
  },
  getMode: {
    id: 'accounts.getMode',
    method: 'GET',
    path: '/v1/accounts/{accountId}/mode',
    summary: "The account's mode: GUIDE (record and preview, never send) or AUTONOMOUS",
    access: 'project',
    ...reader,
    request: { params: s.accountParams },
    responses: { 200: { description: 'The mode', body: s.modeView, headers: ['ETag'] } },
  },
  setMode: {
    id: 'accounts.setMode',
    method: 'PUT',
    path: '/v1/accounts/{accountId}/mode',
    summary:
      'Switch GUIDE ↔ AUTONOMOUS (If-Match). AUTONOMOUS on PAPER or LIVE needs a broker routing entry; on LIVE ' +
      'also a fresh login (401 with the RFC 9470 challenge otherwise), confirm: true and a reason. Audited',
    access: 'project',
    ...trader,
    ifMatch: 'required',
    request: { params: s.accountParams, body: s.modeBody },
    responses: { 200: { description: 'The mode as stored', body: s.modeView, headers: ['ETag'] } },
  },
  modeHistory: {
    id: 'accounts.modeHistory',
    method: 'GET',
    path: '/v1/accounts/{accountId}/mode/history',
    summary: 'Every mode change: from, to, who, when, why, from which IP and user agent; newest first',
    access: 'project',
    ...listed,
    request: { params: s.accountParams, query: listQuery },
    responses: { 200: { description: 'A page of changes', body: s.modeHistoryPage } },
  },
  positions: {
    id: 'accounts.positions',
    method: 'GET',
    path: '/v1/accounts/{accountId}/positions',
    summary: "The account's positions (its portfolio's holdings) at the last prices it saw, with open brackets",
    access: 'project',
    ...reader,
    request: { params: s.accountParams },
    responses: { 200: { description: 'The positions', body: s.positionsView } },
  },
  postPrices: {
    id: 'accounts.prices',
    method: 'POST',
    path: '/v1/accounts/{accountId}/prices',
    summary:
      'SIMULATION accounts: price updates (a tick, or a bar with open/high/low). Working orders they cross fill, ' +
      'brackets exit (stop first when a bar touches both), equity is marked; at the drawdown limit the account halts',
    access: 'project',
    ...trader,
    uses: { ...trader.uses, notify: 'send', keys: 'wrap' },
    request: { params: s.accountParams, body: s.pricesBody },
    responses: { 200: { description: 'What filled, and the state after', body: s.pricesResult } },
  },
  resetAccount: {
    id: 'accounts.reset',
    method: 'POST',
    path: '/v1/accounts/{accountId}/reset',
    summary:
      'SIMULATION accounts: start over — working orders cancelled, a new portfolio funded with the initial ' +
      'balance (the old one stays, with its history), a fresh risk state and the seed re-applied',
    access: 'project',
    ...trader,
    ...once,
    request: { params: s.accountParams, body: s.resetAccountBody },
    responses: { 200: { description: 'The account after the reset', body: s.account, headers: ['ETag'] } },
  },
  getSettings: {
    id: 'tradingSettings.get',
    method: 'GET',
    path: '/v1/trading/settings',
    summary: "The tenant's trading settings and the limits in force (the hard limits, tightened by the settings)",
    access: 'tenant',
    ...reader,
    request: {},
    responses: { 200: { description: 'The settings', body: s.settingsView, headers: ['ETag'] } },
  },
  putSettings: {
    id: 'tradingSettings.put',
    method: 'PUT',
    path: '/v1/trading/settings',
    summary:
      'Replace the trading settings (If-Match; `"0"` before the first write). Risk limits may only tighten the ' +
      'hard limits: a loosening is 422 LIMIT_LOOSENING_REFUSED naming the limit. Every version is kept',
    access: 'tenant',
    ...admin,
    uses: { control: 'write', data: 'write' },
    ifMatch: 'required',
    request: { body: s.settingsBody },
    responses: { 200: { description: 'The settings as stored', body: s.settingsView, headers: ['ETag'] } },
  },
  settingsHistory: {
    id: 'tradingSettings.history',
    method: 'GET',
    path: '/v1/trading/settings/history',
    summary: 'Every version of the trading settings: who, when, why, before and after; newest first',
    access: 'tenant',
    ...listed,
    request: { query: listQuery },
    responses: { 200: { description: 'A page of versions', body: s.settingsHistoryPage } },
  },
  hardLimits: {
    id: 'risk.limits',
    method: 'GET',
    path: '/v1/risk/limits',
    summary: 'The immutable hard risk limits (SPEC §3); tenant settings may only tighten them',
    access: 'tenant',
    ...reader,
    request: {},
    responses: { 200: { description: 'The hard limits', body: s.hardLimitsView } },
  },
  validate: {
    id: 'risk.validate',
    method: 'POST',
    path: '/v1/risk/validate',
    summary: "Dry run of the risk gate for an order: every check of the order's set with its outcome; nothing sent",
    access: 'project',
    ...trader,
    request: { body: s.validateBody },
    responses: { 200: { description: 'The decision (recorded as a dry run)', body: s.decision } },
  },
  riskState: {
    id: 'risk.state',
    method: 'GET',
    path: '/v1/risk/state',
    summary: "An account's risk state: ACTIVE | HALTED | REDUCING, equity, peak, drawdown, daily P&L, counts",
    access: 'project',
    ...reader,
    request: { query: s.accountQuery },
    responses: { 200: { description: 'The risk state', body: s.riskStateView } },
  },
  decisions: {
    id: 'risk.decisions',
    method: 'GET',
    path: '/v1/risk/decisions',
    summary: 'Every risk decision with its checks and inputs, newest first; filter by account and outcome',
    access: 'project',
    ...listed,
    request: { query: s.decisionQuery },
    responses: { 200: { description: 'A page of decisions', body: s.decisionPage } },
  },
  budgets: {
    id: 'risk.budgets',
    method: 'GET',
    path: '/v1/risk/budgets',
    summary: 'Per strategy: budget and its use, performance, consecutive losses, whether it may trade',
    access: 'project',
    ...reader,
    request: { query: s.accountQuery },
    responses: { 200: { description: 'The budgets', body: s.budgetsView } },
  },
  enableStrategy: {
    id: 'risk.enableStrategy',
    method: 'POST',
    path: '/v1/risk/strategies/{strategy}/enable',
    summary: 'Re-enable a strategy the loss streak disabled on an account (admin, with a reason); audited',
    access: 'project',
    ...admin,
    request: { params: s.strategyParams, body: s.enableStrategyBody },
    responses: { 200: { description: 'The risk state after', body: s.riskStateView } },
  },
  halt: {
    id: 'risk.halt',
    method: 'POST',
    path: '/v1/risk/halt',
    summary:
      'The kill switch (any trader): with accountId that account, without it every account of the tenant. ' +
      'HALTED refuses every order; reduceOnly: REDUCING, where only orders that shrink a position pass',
    access: 'project',
    ...trader,
    uses: { control: 'write', data: 'write', secrets: ['tenant'], notify: 'send', keys: 'wrap' },
    request: { body: s.haltBody },
    responses: { 200: { description: 'The accounts halted', body: s.haltResult } },
  },
  emergencyReset: {
    id: 'risk.emergencyReset',
    method: 'POST',
    path: '/v1/risk/emergency/reset',
    summary: "Reset an account's circuit breaker (admin, fresh login, reason); audited",
    access: 'project',
    ...admin,
    uses: { control: 'write', data: 'write' },
    freshLogin: true,
    request: { body: s.resetBody },
    responses: { 200: { description: 'The risk state after', body: s.riskStateView } },
  },
  createOrder: {
    id: 'orders.create',
    method: 'POST',
    path: '/v1/orders',
    summary:
      'Place an order (Idempotency-Key required). The risk gate decides (422 RISK_REJECTED with every check, ' +
      'nothing written but the decision); GUIDE records it as previewed; AUTONOMOUS sends it to the venue',
    access: 'project',
    ...trader,
    uses: { ...trader.uses, notify: 'send', keys: 'wrap' },
    ...once,
    timeoutSeconds: 29,
    request: { body: s.orderBody },
    responses: { 201: { description: 'The order', body: s.order, headers: ['Location'] } },
  },
  listOrders: {
    id: 'orders.list',
    method: 'GET',
    path: '/v1/orders',
    summary: 'Orders, newest first; filter by account, status (`open`: still working) and symbol',
    access: 'project',
    ...listed,
    request: { query: s.orderQuery },
    responses: { 200: { description: 'A page of orders', body: s.orderPage } },
  },
  getOrder: {
    id: 'orders.get',
    method: 'GET',
    path: '/v1/orders/{orderId}',
    summary: 'One order with its fills and every transition',
    access: 'project',
    ...reader,
    request: { params: s.orderParams },
    responses: { 200: { description: 'The order', body: s.order } },
  },
  cancelOrder: {
    id: 'orders.cancel',
    method: 'POST',
    path: '/v1/orders/{orderId}/cancel',
    summary: 'Cancel a working order (at its broker first); 409 ORDER_NOT_CANCELLABLE once it has ended',
    access: 'project',
    ...trader,
    idempotent: true,
    request: { params: s.orderParams, body: emptyBody },
    responses: { 200: { description: 'The order after', body: s.order } },
  },
  journal: {
    id: 'journal.entries',
    method: 'GET',
    path: '/v1/journal/entries',
    summary:
      'The journal, newest first: the automatic entries (`kind: fill`, one per fill, every member sees them) and ' +
      'your own notes (`kind: note`). Filter by kind, text (`q`: title, content, tags, any case), tag, `from`/`to` ' +
      '(at ≥ from, at < to) and symbol; source, account and strategy narrow to fills',
    access: 'project',
    ...listed,
    request: { query: j.entryQuery },
    responses: { 200: { description: 'A page of entries', body: j.entryPage } },
  },
  journalStats: {
    id: 'journal.stats',
    method: 'GET',
    path: '/v1/journal/stats',
    summary: 'Win rate, profit factor, expectancy and streaks of closed trades, overall, per strategy and symbol',
    access: 'project',
    ...reader,
    request: { query: s.journalStatsQuery },
    responses: { 200: { description: 'The statistics', body: s.journalStatsView } },
  },
});

/** The trading context's route table: the desk above, the manual journal in its own file (added last). */
export const routes = { ...deskRoutes, ...journalRoutes };
