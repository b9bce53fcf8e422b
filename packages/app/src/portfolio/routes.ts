import { defineRoutes } from '@ballast/platform/http/define-route.js';
import * as s from './schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const writer = { minTier: 'navigator', roles: ['trader', 'admin'], uses: { control: 'write', data: 'write' } } as const;

/** Portfolios ("vaults") of a project: read by every member, written by traders and admins. */
export const routes = defineRoutes('portfolio', {
  create: {
    id: 'portfolios.create',
    method: 'POST',
    path: '/v1/portfolios',
    summary: 'Create a portfolio',
    access: 'project',
    ...writer,
    idempotent: true,
    request: { body: s.createPortfolioBody },
    responses: { 201: { description: 'Created', body: s.portfolio, headers: ['ETag', 'Location'] } },
  },
  list: {
    id: 'portfolios.list',
    method: 'GET',
    path: '/v1/portfolios',
    summary: 'List portfolios, newest first',
    access: 'project',
    ...reader,
    uses: { ...reader.uses, secrets: ['cursor'] },
    request: { query: s.listQuery },
    responses: { 200: { description: 'A page of portfolios', body: s.portfolioPage } },
  },
  get: {
    id: 'portfolios.get',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}',
    summary: 'Read a portfolio',
    access: 'project',
    ...reader,
    request: { params: s.portfolioParams },
    responses: { 200: { description: 'The portfolio', body: s.portfolio, headers: ['ETag'] } },
  },
  patch: {
    id: 'portfolios.patch',
    method: 'PATCH',
    path: '/v1/portfolios/{portfolioId}',
    summary:
      'Update a portfolio (If-Match). The base currency changes only while cash is zero and only to a ' +
      'currency with the same minor unit (EUR → USD); otherwise 422 CURRENCY_CHANGE_REFUSED, even if cash is sent',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.portfolioParams, body: s.patchPortfolioBody },
    responses: { 200: { description: 'The portfolio as stored', body: s.portfolio, headers: ['ETag'] } },
  },
  delete: {
    id: 'portfolios.delete',
    method: 'DELETE',
    path: '/v1/portfolios/{portfolioId}',
    summary: 'Soft-delete a portfolio (If-Match); it is purged after its grace period',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.portfolioParams },
    responses: { 204: { description: 'Deleted' } },
  },
});
