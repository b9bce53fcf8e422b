import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { emptyBody } from '@ballast/platform/schemas/common.js';
import { MARKET_DATA_USES } from '../market-data/index.js';
import * as s from './schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const listed = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;
const writer = { minTier: 'navigator', roles: ['trader', 'admin'], uses: { control: 'write', data: 'write' } } as const;
/** an approval is an order through the trading desk: prices from market data, the broker's key */
const trader = { ...writer, uses: { ...MARKET_DATA_USES, data: 'write' } } as const;

/** Strategies and the signals they give on the tenant's stored candles. */
export const routes = defineRoutes('research', {
  listStrategies: {
    id: 'strategies.list',
    method: 'GET',
    path: '/v1/strategies',
    summary: 'Every strategy: its name, description, and parameters as JSON Schema with defaults and ranges',
    access: 'project',
    ...reader,
    request: {},
    responses: { 200: { description: 'The strategies', body: s.strategyList } },
  },
  analyze: {
    id: 'strategies.analyze',
    method: 'POST',
    path: '/v1/strategies/{strategy}/analyze',
    summary:
      'Run a strategy on the last `bars` stored candles of a symbol: its signal at the last bar (side, entry, stop, ' +
      'target, confidence, reason) is stored as an open signal (201); no signal answers 200 with `signal: null`',
    access: 'project',
    ...writer,
    idempotent: true,
    request: { params: s.strategyParams, body: s.analyzeBody },
    responses: {
      200: { description: 'No signal at the last bar', body: s.analysis },
      201: { description: 'A signal, stored', body: s.analysis, headers: ['Location'] },
    },
  },
  listSignals: {
    id: 'signals.list',
    method: 'GET',
    path: '/v1/signals',
    summary: "The project's signals, newest first (`status` open|approved|cancelled)",
    access: 'project',
    ...listed,
    request: { query: s.signalQuery },
    responses: { 200: { description: 'A page of signals', body: s.signalPage } },
  },
  getSignal: {
    id: 'signals.get',
    method: 'GET',
    path: '/v1/signals/{signalId}',
    summary: 'Read a signal',
    access: 'project',
    ...reader,
    request: { params: s.signalParams },
    responses: { 200: { description: 'The signal', body: s.signal } },
  },
  approveSignal: {
    id: 'signals.approve',
    method: 'POST',
    path: '/v1/signals/{signalId}/approve',
    summary:
      'Approve an open signal (Idempotency-Key required): a strategy order through the risk gate and the ' +
      "execution engine on the account, with the signal's stop and target (or the ones sent). 409 SIGNAL_NOT_OPEN",
    access: 'project',
    ...trader,
    uses: { ...trader.uses, notify: 'send', keys: 'wrap' },
    idempotent: true,
    idempotencyKey: 'required',
    timeoutSeconds: 29,
    request: { params: s.signalParams, body: s.approveBody },
    responses: { 201: { description: 'The signal and its order', body: s.approval, headers: ['Location'] } },
  },
  cancelSignal: {
    id: 'signals.cancel',
    method: 'POST',
    path: '/v1/signals/{signalId}/cancel',
    summary: 'Cancel an open signal: it will not be approved (409 SIGNAL_NOT_OPEN when it is not open)',
    access: 'project',
    ...writer,
    request: { params: s.signalParams, body: emptyBody },
    responses: { 200: { description: 'The signal', body: s.signal } },
  },
});
