import type { RouteDef } from '@ballast/platform/http/define-route.js';
import { automationRoutes } from './automation/index.js';
import { controlRoutes } from './control/index.js';
import { marketDataRoutes } from './market-data/index.js';
import { opsRoutes } from './ops/index.js';
import { planningRoutes } from './planning/index.js';
import { portfolioRoutes } from './portfolio/index.js';
import { profileRoutes } from './profile/index.js';
import { researchRoutes } from './research/index.js';
import { tradingRoutes } from './trading/index.js';
import { watchlistsRoutes } from './watchlists/index.js';

/**
 * The whole route table: every context's slice. Read by the route stacks, the local router, the
 * OpenAPI document and the route-wide tests — never by a route's own Lambda entry.
 */
export const ROUTES_BY_CONTEXT: Readonly<Record<string, readonly RouteDef[]>> = {
  ops: Object.values(opsRoutes),
  control: Object.values(controlRoutes),
  portfolio: Object.values(portfolioRoutes),
  'market-data': Object.values(marketDataRoutes),
  trading: Object.values(tradingRoutes),
  planning: Object.values(planningRoutes),
  research: Object.values(researchRoutes),
  automation: Object.values(automationRoutes),
  profile: Object.values(profileRoutes),
  watchlists: Object.values(watchlistsRoutes),
};

export const ALL_ROUTES: readonly RouteDef[] = Object.values(ROUTES_BY_CONTEXT).flat();

export function routeById(id: string): RouteDef {
  const found = ALL_ROUTES.find((r) => r.id === id);
  if (!found) throw new Error(`No route '${id}' in the route table`);
  return found;
}
