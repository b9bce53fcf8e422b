import * as s from './schemas.js';
import type { RouteDef } from './types.js';

/**
 * The one route table. Read by the Lambda wrapper (`route()`), the local runtime's router, the
 * OpenAPI document and stacks/Api (one function per entry, least-privilege from `uses`).
 * It names handler modules by path and never imports them.
 */
export const ROUTES: readonly RouteDef[] = [
  {
    id: 'health.live', method: 'GET', path: '/v1/health', summary: 'Liveness', access: 'public', minTier: 'observer', roles: [],
    uses: { control: 'read' }, handler: 'functions/health/live.ts', group: 'health', request: {}, status: 200,
  },
  {
    id: 'health.ready', method: 'GET', path: '/v1/health/ready', summary: 'Readiness: checks the control table', access: 'public', minTier: 'observer', roles: [],
    uses: { control: 'read' }, handler: 'functions/health/ready.ts', group: 'health', request: {}, status: 200,
  },
  {
    id: 'openapi.get', method: 'GET', path: '/v1/openapi.json', summary: 'The OpenAPI 3.1 document, generated from this table', access: 'public', minTier: 'observer', roles: [],
    uses: { control: 'read' }, handler: 'functions/openapi/get.ts', group: 'health', request: {}, status: 200,
  },
  {
    id: 'system.bootstrap', method: 'POST', path: '/v1/system/bootstrap', summary: 'Create t_system and the modes (idempotent)', access: 'bootstrapKey', minTier: 'observer', roles: [],
    uses: { control: 'write', secrets: ['bootstrap'] }, handler: 'functions/system/bootstrap.ts', group: 'system', request: { body: s.bootstrapBody }, status: 200,
  },
  {
    id: 'modes.list', method: 'GET', path: '/v1/modes', summary: 'List tenant modes', access: 'authenticated', minTier: 'observer', roles: [],
    uses: { control: 'read' }, handler: 'functions/modes/list.ts', group: 'control', request: {}, status: 200,
  },
  {
    id: 'modes.put', method: 'PUT', path: '/v1/modes/{mode}', summary: 'Edit a mode (system admin)', access: 'system', minTier: 'observer', roles: ['admin'],
    uses: { control: 'write' }, handler: 'functions/modes/put.ts', group: 'system', request: { params: s.modeParams, body: s.modeBody }, status: 200,
  },
  {
    id: 'tenants.create', method: 'POST', path: '/v1/tenants', summary: 'Create a tenant (system admin)', access: 'system', minTier: 'observer', roles: ['admin'], idempotent: true,
    uses: { control: 'write' }, handler: 'functions/tenants/create.ts', group: 'system', request: { body: s.createTenantBody }, status: 201,
  },
  {
    id: 'tenants.get', method: 'GET', path: '/v1/tenants/{tenantId}', summary: 'Read a tenant (member or system admin)', access: 'tenant', minTier: 'observer', roles: [], systemAdminOverride: true,
    uses: { control: 'read' }, handler: 'functions/tenants/get.ts', group: 'control', request: { params: s.tenantParams }, status: 200,
  },
  {
    id: 'tenants.patch', method: 'PATCH', path: '/v1/tenants/{tenantId}', summary: 'Change a tenant’s name or mode (tenant or system admin)', access: 'tenant', minTier: 'observer', roles: ['admin'], systemAdminOverride: true,
    uses: { control: 'write' }, handler: 'functions/tenants/patch.ts', group: 'control', request: { params: s.tenantParams, body: s.patchTenantBody }, status: 200,
  },
  {
    id: 'projects.list', method: 'GET', path: '/v1/tenants/{tenantId}/projects', summary: 'List a tenant’s projects', access: 'tenant', minTier: 'observer', roles: [], systemAdminOverride: true,
    uses: { control: 'read' }, handler: 'functions/projects/list.ts', group: 'control', request: { params: s.tenantParams, query: s.listQuery }, status: 200,
  },
  {
    id: 'projects.create', method: 'POST', path: '/v1/tenants/{tenantId}/projects', summary: 'Create a project (tenant admin)', access: 'tenant', minTier: 'observer', roles: ['admin'], systemAdminOverride: true, idempotent: true,
    uses: { control: 'write' }, handler: 'functions/projects/create.ts', group: 'control', request: { params: s.tenantParams, body: s.createProjectBody }, status: 201,
  },
  {
    id: 'members.list', method: 'GET', path: '/v1/tenants/{tenantId}/members', summary: 'List members (tenant admin)', access: 'tenant', minTier: 'observer', roles: ['admin'], systemAdminOverride: true,
    uses: { control: 'read' }, handler: 'functions/members/list.ts', group: 'control', request: { params: s.tenantParams, query: s.listQuery }, status: 200,
  },
  {
    id: 'members.put', method: 'PUT', path: '/v1/tenants/{tenantId}/members/{userId}', summary: 'Add or change a member’s roles and tier (tenant admin)', access: 'tenant', minTier: 'observer', roles: ['admin'], systemAdminOverride: true,
    uses: { control: 'write' }, handler: 'functions/members/put.ts', group: 'control', request: { params: s.memberParams, body: s.putMemberBody }, status: 200,
  },
  {
    id: 'members.delete', method: 'DELETE', path: '/v1/tenants/{tenantId}/members/{userId}', summary: 'Remove a member (tenant admin)', access: 'tenant', minTier: 'observer', roles: ['admin'], systemAdminOverride: true,
    uses: { control: 'write' }, handler: 'functions/members/delete.ts', group: 'control', request: { params: s.memberParams }, status: 204,
  },
  {
    id: 'routing.get', method: 'GET', path: '/v1/routing/{tenantId}/{env}/{kind}', summary: 'Read a routing entry (system admin)', access: 'system', minTier: 'observer', roles: ['admin'],
    uses: { control: 'read' }, handler: 'functions/routing/get.ts', group: 'system', request: { params: s.routingParams }, status: 200,
  },
  {
    id: 'routing.put', method: 'PUT', path: '/v1/routing/{tenantId}/{env}/{kind}', summary: 'Set a routing entry (system admin)', access: 'system', minTier: 'observer', roles: ['admin'],
    uses: { control: 'write' }, handler: 'functions/routing/put.ts', group: 'system', request: { params: s.routingParams, body: s.routingConfig }, status: 200,
  },
  {
    id: 'routing.delete', method: 'DELETE', path: '/v1/routing/{tenantId}/{env}/{kind}', summary: 'Remove a routing entry (system admin)', access: 'system', minTier: 'observer', roles: ['admin'],
    uses: { control: 'write' }, handler: 'functions/routing/delete.ts', group: 'system', request: { params: s.routingParams }, status: 204,
  },
  {
    id: 'apiKeys.create', method: 'POST', path: '/v1/api-keys', summary: 'Create an API key; the secret is shown once (tenant admin)', access: 'project', minTier: 'observer', roles: ['admin'], idempotent: true,
    uses: { control: 'write' }, handler: 'functions/api-keys/create.ts', group: 'identity', request: { body: s.createApiKeyBody }, status: 201,
  },
  {
    id: 'apiKeys.list', method: 'GET', path: '/v1/api-keys', summary: 'List API keys (tenant admin)', access: 'tenant', minTier: 'observer', roles: ['admin'],
    uses: { control: 'read' }, handler: 'functions/api-keys/list.ts', group: 'identity', request: { query: s.listQuery }, status: 200,
  },
  {
    id: 'apiKeys.delete', method: 'DELETE', path: '/v1/api-keys/{keyId}', summary: 'Revoke an API key (tenant admin)', access: 'tenant', minTier: 'observer', roles: ['admin'],
    uses: { control: 'write' }, handler: 'functions/api-keys/delete.ts', group: 'identity', request: { params: s.apiKeyParams }, status: 204,
  },
  {
    id: 'auth.logout', method: 'POST', path: '/v1/auth/logout', summary: 'Revoke the presented token until it expires', access: 'authenticated', minTier: 'observer', roles: [],
    uses: { control: 'write' }, handler: 'functions/auth/logout.ts', group: 'identity', request: { body: s.logoutBody }, status: 204,
  },
  {
    id: 'me.get', method: 'GET', path: '/v1/me', summary: 'The resolved request context', access: 'project', minTier: 'observer', roles: [],
    uses: { control: 'read' }, handler: 'functions/me/get.ts', group: 'identity', request: {}, status: 200,
  },
  {
    id: 'audit.list', method: 'GET', path: '/v1/audit', summary: 'Audit records, newest first (tenant admin)', access: 'tenant', minTier: 'observer', roles: ['admin'],
    uses: { control: 'read' }, handler: 'functions/audit/list.ts', group: 'control', request: { query: s.auditQuery }, status: 200,
  },
  {
    id: 'portfolios.create', method: 'POST', path: '/v1/portfolios', summary: 'Create a portfolio', access: 'project', minTier: 'navigator', roles: ['trader', 'admin'], idempotent: true,
    uses: { control: 'write', data: 'write' }, handler: 'functions/portfolios/create.ts', group: 'portfolios', request: { body: s.createPortfolioBody }, response: s.portfolio, status: 201,
  },
  {
    id: 'portfolios.list', method: 'GET', path: '/v1/portfolios', summary: 'List portfolios', access: 'project', minTier: 'observer', roles: [],
    uses: { control: 'read', data: 'read' }, handler: 'functions/portfolios/list.ts', group: 'portfolios', request: { query: s.listQuery }, status: 200,
  },
  {
    id: 'portfolios.get', method: 'GET', path: '/v1/portfolios/{portfolioId}', summary: 'Read a portfolio', access: 'project', minTier: 'observer', roles: [],
    uses: { control: 'read', data: 'read' }, handler: 'functions/portfolios/get.ts', group: 'portfolios', request: { params: s.portfolioParams }, response: s.portfolio, status: 200,
  },
  {
    id: 'portfolios.patch', method: 'PATCH', path: '/v1/portfolios/{portfolioId}', summary: 'Update a portfolio (If-Match)', access: 'project', minTier: 'navigator', roles: ['trader', 'admin'],
    uses: { control: 'write', data: 'write' }, handler: 'functions/portfolios/patch.ts', group: 'portfolios', request: { params: s.portfolioParams, body: s.patchPortfolioBody }, response: s.portfolio, status: 200,
  },
  {
    id: 'portfolios.delete', method: 'DELETE', path: '/v1/portfolios/{portfolioId}', summary: 'Soft-delete a portfolio (If-Match)', access: 'project', minTier: 'navigator', roles: ['trader', 'admin'],
    uses: { control: 'write', data: 'write' }, handler: 'functions/portfolios/delete.ts', group: 'portfolios', request: { params: s.portfolioParams }, status: 204,
  },
];

export function routeById(id: string): RouteDef {
  const r = ROUTES.find((x) => x.id === id);
  if (!r) throw new Error(`No route '${id}' in the route table`);
  return r;
}
