import { type OpenApiServer, openApiDocument } from '@ballast/platform/http/openapi.js';
import { DEFAULT_SERVERS } from './openapi-served.js';
import { ALL_ROUTES } from '../routes.js';

const INFO = {
  title: 'Ballast API',
  version: '1.0.0',
  description:
    'Multi-tenant investing platform. Money, prices and quantities are decimal strings; lists page with `limit` ' +
    'and an opaque `cursor`; every mutable resource carries a `version` sent as `ETag`; errors are Problem Details.',
};

/** One tag per context (the docs page groups operations by it); a test keeps every context described. */
export const CONTEXT_TAGS: Readonly<Record<string, string>> = {
  ops: 'Health (liveness, readiness, detailed), archived audit and journal months, and this API’s own description',
  control: 'The control plane: bootstrap, modes, tenants, projects, members, routing, API keys, identity, audit',
  portfolio: 'Portfolios of a project: their ledgers, holdings, valuation, performance and imports',
  'market-data':
    'Market data of the tenant: quotes and symbol search from its provider, stored candles, uploads and syncs, ' +
    'the economic calendar',
  trading:
    'The trading desk: accounts on a venue (SIMULATION, PAPER, LIVE) and their mode, trading settings and ' +
    'the immutable hard limits, the pre-trade risk gate and its decisions, orders and fills, the journal',
  planning:
    'Planning of a portfolio: asset categories with targets and bounds, symbol assignments, exclusions, the ' +
    'allocation view (drift against targets), rebalance proposals and their executions, schedules, DCA and ' +
    'stop-loss rules',
  research:
    'Strategies, their parameters, and the signals they give on stored candles (approving one places an ' +
    'order); backtests; optimisations fanned out to workers, ranked, walk-forward and look-ahead checked',
  automation:
    'Playbooks (a strategy saved to trade, versioned: draft → active → retired), their trading cycles ' +
    '(supervisor → strategy → risk → execution) and every step’s decision, the halt switch, agent health, ' +
    'the feedback loop and its performance snapshots, playbooks made from optimisations',
  profile:
    'Your own space: preferences, theme, favourites, onboarding (personal fields encrypted field by field), ' +
    'trading preferences, the export of everything held about you, and erasure',
  watchlists:
    'Your watchlists: items with the latest quote, alerts above and below that notify once per crossing, ' +
    'shares with members of your tenant (read or edit), and the notifications sent to you',
};

export { DEFAULT_SERVERS } from './openapi-served.js';

/**
 * The whole route table's document: what `npm run client` generates the typed client and the
 * served document (`openapi.json`, beside this file) from. Only offline code calls it: it imports
 * every context's schemas.
 */
export function ballastOpenApi(servers: readonly OpenApiServer[] = DEFAULT_SERVERS): Record<string, unknown> {
  return openApiDocument(ALL_ROUTES, { info: INFO, servers, tags: CONTEXT_TAGS });
}
