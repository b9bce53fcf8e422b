import { defineRoutes } from '@ballast/platform/http/define-route.js';
import { MARKET_DATA_USES } from '../market-data/index.js';
import * as s from './schemas.js';

const reader = { minTier: 'observer', roles: [], uses: { control: 'read', data: 'read' } } as const;
const writer = { minTier: 'navigator', roles: ['trader', 'admin'], uses: { control: 'write', data: 'write' } } as const;
const listed = { ...reader, uses: { ...reader.uses, secrets: ['cursor'] } } as const;
/** the allocation view values the book on market data (quotes, stored closes, FX rates) */
const pricedReader = { ...reader, uses: { ...MARKET_DATA_USES, data: 'read' } } as const;

/** Asset categories of a portfolio, which symbols belong to them, which are excluded, and the allocation. */
export const routes = defineRoutes('planning', {
  createCategory: {
    id: 'categories.create',
    method: 'POST',
    path: '/v1/portfolios/{portfolioId}/categories',
    summary:
      'Define an asset category with its target, bounds and rebalancing rules. Its code is unique within the ' +
      'portfolio (409 CATEGORY_CODE_TAKEN); minPct ≤ targetPct ≤ maxPct',
    access: 'project',
    ...writer,
    idempotent: true,
    request: { params: s.portfolioParams, body: s.categoryBody },
    responses: { 201: { description: 'Created', body: s.category, headers: ['ETag', 'Location'] } },
  },
  listCategories: {
    id: 'categories.list',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/categories',
    summary: "The portfolio's categories, newest first",
    access: 'project',
    ...listed,
    request: { params: s.portfolioParams, query: s.listQuery },
    responses: { 200: { description: 'A page of categories', body: s.categoryPage } },
  },
  getCategory: {
    id: 'categories.get',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/categories/{categoryId}',
    summary: 'Read a category',
    access: 'project',
    ...reader,
    request: { params: s.categoryParams },
    responses: { 200: { description: 'The category', body: s.category, headers: ['ETag'] } },
  },
  putCategory: {
    id: 'categories.put',
    method: 'PUT',
    path: '/v1/portfolios/{portfolioId}/categories/{categoryId}',
    summary: 'Replace a category (If-Match): every field is sent; omitted optional fields are cleared',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.categoryParams, body: s.categoryBody },
    responses: { 200: { description: 'The category as stored', body: s.category, headers: ['ETag'] } },
  },
  deleteCategory: {
    id: 'categories.delete',
    method: 'DELETE',
    path: '/v1/portfolios/{portfolioId}/categories/{categoryId}',
    summary:
      'Delete a category (If-Match). Nothing else is removed: symbols assigned to it show as unassigned in the ' +
      'allocation until they are assigned again',
    access: 'project',
    ...writer,
    ifMatch: 'required',
    request: { params: s.categoryParams },
    responses: { 204: { description: 'Deleted' } },
  },
  listAssignments: {
    id: 'assignments.list',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/assignments',
    summary: 'Every symbol-to-category assignment of the portfolio, by symbol (at most 1,000; not paginated)',
    access: 'project',
    ...reader,
    request: { params: s.portfolioParams },
    responses: { 200: { description: 'The assignments', body: s.assignmentList } },
  },
  putAssignment: {
    id: 'assignments.put',
    method: 'PUT',
    path: '/v1/portfolios/{portfolioId}/assignments/{symbol}',
    summary:
      'Assign a symbol to a category, with an optional relative weight within it (replaces its assignment). ' +
      '422 CATEGORY_NOT_FOUND for a category the portfolio does not have',
    access: 'project',
    ...writer,
    request: { params: s.symbolParams, body: s.assignmentBody },
    responses: { 200: { description: 'The assignment as stored', body: s.assignment } },
  },
  deleteAssignment: {
    id: 'assignments.delete',
    method: 'DELETE',
    path: '/v1/portfolios/{portfolioId}/assignments/{symbol}',
    summary: "Remove a symbol's assignment (404 ASSIGNMENT_NOT_FOUND when it has none)",
    access: 'project',
    ...writer,
    request: { params: s.symbolParams },
    responses: { 204: { description: 'Removed' } },
  },
  listExclusions: {
    id: 'exclusions.list',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/exclusions',
    summary: 'Symbols excluded from planning and rebalancing, with their reasons, by symbol (not paginated)',
    access: 'project',
    ...reader,
    request: { params: s.portfolioParams },
    responses: { 200: { description: 'The exclusions', body: s.exclusionList } },
  },
  putExclusion: {
    id: 'exclusions.put',
    method: 'PUT',
    path: '/v1/portfolios/{portfolioId}/exclusions/{symbol}',
    summary: 'Exclude a symbol, with a reason (replaces the reason if it is already excluded)',
    access: 'project',
    ...writer,
    request: { params: s.symbolParams, body: s.exclusionBody },
    responses: { 200: { description: 'The exclusion as stored', body: s.exclusion } },
  },
  deleteExclusion: {
    id: 'exclusions.delete',
    method: 'DELETE',
    path: '/v1/portfolios/{portfolioId}/exclusions/{symbol}',
    summary: 'Lift an exclusion (404 EXCLUSION_NOT_FOUND when the symbol is not excluded)',
    access: 'project',
    ...writer,
    request: { params: s.symbolParams },
    responses: { 204: { description: 'Lifted' } },
  },
  allocation: {
    id: 'allocation.get',
    method: 'GET',
    path: '/v1/portfolios/{portfolioId}/allocation',
    summary:
      'How the whole value (holdings at market value in the base currency, plus cash) splits across the ' +
      'categories, cash and unassigned holdings, against the targets: drift, bounds, breaches. Unpriced holdings ' +
      'are listed and left out; targets that do not sum to 100 are reported, never normalised',
    access: 'project',
    ...pricedReader,
    request: { params: s.portfolioParams },
    responses: { 200: { description: 'The allocation', body: s.allocation } },
  },
});
