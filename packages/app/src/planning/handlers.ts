import { allocationOf } from '@ballast/core/rebalance/allocation.js';
import { AppError, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { livePortfolio, openingBook, valueBook } from '../portfolio/index.js';
import { newCategoryId } from './ids.js';
import type { PlanningHandler, PlanningPorts, PricedPlanningHandler } from './ports.js';
import type { routes } from './routes.js';
import type { CategoryBody } from './schemas.js';
import { type Category, MAX_ASSIGNMENTS } from './store.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();
const resourceOf = (portfolioId: string, kind: string, id: string) => `portfolio/${portfolioId}/${kind}/${id}`;

/** The category's fields from a body: a PUT replaces them all, so what it omits is cleared. */
function fieldsOf(body: CategoryBody) {
  return {
    name: body.name,
    code: body.code,
    type: body.type,
    targetPct: body.targetPct,
    ...(body.minPct !== undefined ? { minPct: body.minPct } : {}),
    ...(body.maxPct !== undefined ? { maxPct: body.maxPct } : {}),
    rebalanceThresholdPct: body.rebalanceThresholdPct,
    ...(body.riskLevel !== undefined ? { riskLevel: body.riskLevel } : {}),
    ...(body.maxSinglePositionPct !== undefined ? { maxSinglePositionPct: body.maxSinglePositionPct } : {}),
    ...(body.volatilityLimitPct !== undefined ? { volatilityLimitPct: body.volatilityLimitPct } : {}),
    taxLossHarvesting: body.taxLossHarvesting,
  };
}

async function categoryOf(ports: PlanningPorts, portfolioId: string, categoryId: string): Promise<Category> {
  await livePortfolio(ports.portfolios, portfolioId);
  const found = await ports.planning.getCategory(portfolioId, categoryId);
  if (!found) throw notFound('CATEGORY_NOT_FOUND', `No category ${categoryId} in this portfolio`);
  return found;
}

export const createCategory: PlanningHandler<R['createCategory']> = async ({ params, body }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const at = iso(h.now);
  const c: Category = {
    categoryId: newCategoryId(h.now),
    portfolioId: params.portfolioId,
    ...fieldsOf(body),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.planning.createCategory(uow, c);
  uow.audit({ action: 'category.create', resource: resourceOf(c.portfolioId, 'category', c.categoryId), after: c });
  await uow.commit();
  return {
    status: 201,
    body: c,
    headers: { ETag: etag(1), Location: `/v1/portfolios/${c.portfolioId}/categories/${c.categoryId}` },
  };
};

export const listCategories: PlanningHandler<R['listCategories']> = async ({ params, query }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  const page = await h.ports.planning.listCategories(params.portfolioId, query);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
};

export const getCategory: PlanningHandler<R['getCategory']> = async ({ params }, h) => {
  const c = await categoryOf(h.ports, params.portfolioId, params.categoryId);
  return { status: 200, body: c, headers: { ETag: etag(c.version) } };
};

export const putCategory: PlanningHandler<R['putCategory']> = async ({ params, body, ifMatch }, h) => {
  const before = await categoryOf(h.ports, params.portfolioId, params.categoryId);
  if (before.version !== ifMatch) throw preconditionFailed(`The category is at version ${before.version}`);
  const after: Category = {
    categoryId: before.categoryId,
    portfolioId: before.portfolioId,
    ...fieldsOf(body),
    createdAt: before.createdAt,
    updatedAt: iso(h.now),
    version: before.version + 1,
  };
  const uow = h.unitOfWork();
  h.ports.planning.replaceCategory(uow, before, after);
  uow.audit({
    action: 'category.update',
    resource: resourceOf(after.portfolioId, 'category', after.categoryId),
    before,
    after,
  });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const deleteCategory: PlanningHandler<R['deleteCategory']> = async ({ params, ifMatch }, h) => {
  const before = await categoryOf(h.ports, params.portfolioId, params.categoryId);
  if (before.version !== ifMatch) throw preconditionFailed(`The category is at version ${before.version}`);
  const uow = h.unitOfWork();
  h.ports.planning.deleteCategory(uow, before, ifMatch);
  uow.audit({
    action: 'category.delete',
    resource: resourceOf(before.portfolioId, 'category', before.categoryId),
    before,
    after: null,
  });
  await uow.commit();
  return { status: 204 };
};

export const listAssignments: PlanningHandler<R['listAssignments']> = async ({ params }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  return { status: 200, body: { items: await h.ports.planning.listAssignments(params.portfolioId) } };
};

export const putAssignment: PlanningHandler<R['putAssignment']> = async ({ params, body }, h) => {
  const { portfolioId, symbol } = params;
  await livePortfolio(h.ports.portfolios, portfolioId);
  const store = h.ports.planning;
  if (!(await store.getCategory(portfolioId, body.categoryId))) {
    throw new AppError(422, 'CATEGORY_NOT_FOUND', `No category ${body.categoryId} in this portfolio`);
  }
  const before = await store.getAssignment(portfolioId, symbol);
  if (!before && (await store.listAssignments(portfolioId)).length >= MAX_ASSIGNMENTS) {
    throw new AppError(
      422,
      'ASSIGNMENT_LIMIT_REACHED',
      `A portfolio has at most ${MAX_ASSIGNMENTS} assignments; remove one first`,
    );
  }
  const after = {
    symbol,
    categoryId: body.categoryId,
    ...(body.weight !== undefined ? { weight: body.weight } : {}),
    updatedAt: iso(h.now),
  };
  const uow = h.unitOfWork();
  store.putAssignment(uow, portfolioId, after);
  uow.audit({ action: 'assignment.put', resource: resourceOf(portfolioId, 'assignment', symbol), before, after });
  await uow.commit();
  return { status: 200, body: after };
};

export const deleteAssignment: PlanningHandler<R['deleteAssignment']> = async ({ params }, h) => {
  const { portfolioId, symbol } = params;
  await livePortfolio(h.ports.portfolios, portfolioId);
  const before = await h.ports.planning.getAssignment(portfolioId, symbol);
  if (!before) throw notFound('ASSIGNMENT_NOT_FOUND', `${symbol} is not assigned to a category`);
  const uow = h.unitOfWork();
  h.ports.planning.deleteAssignment(uow, portfolioId, symbol);
  uow.audit({
    action: 'assignment.delete',
    resource: resourceOf(portfolioId, 'assignment', symbol),
    before,
    after: null,
  });
  await uow.commit();
  return { status: 204 };
};

export const listExclusions: PlanningHandler<R['listExclusions']> = async ({ params }, h) => {
  await livePortfolio(h.ports.portfolios, params.portfolioId);
  return { status: 200, body: { items: await h.ports.planning.listExclusions(params.portfolioId) } };
};

export const putExclusion: PlanningHandler<R['putExclusion']> = async ({ params, body }, h) => {
  const { portfolioId, symbol } = params;
  await livePortfolio(h.ports.portfolios, portfolioId);
  const store = h.ports.planning;
  const before = await store.getExclusion(portfolioId, symbol);
  if (!before && (await store.listExclusions(portfolioId)).length >= MAX_ASSIGNMENTS) {
    throw new AppError(
      422,
      'EXCLUSION_LIMIT_REACHED',
      `A portfolio has at most ${MAX_ASSIGNMENTS} exclusions; lift one first`,
    );
  }
  const after = { symbol, reason: body.reason, updatedAt: iso(h.now) };
  const uow = h.unitOfWork();
  store.putExclusion(uow, portfolioId, after);
  uow.audit({ action: 'exclusion.put', resource: resourceOf(portfolioId, 'exclusion', symbol), before, after });
  await uow.commit();
  return { status: 200, body: after };
};

export const deleteExclusion: PlanningHandler<R['deleteExclusion']> = async ({ params }, h) => {
  const { portfolioId, symbol } = params;
  await livePortfolio(h.ports.portfolios, portfolioId);
  const before = await h.ports.planning.getExclusion(portfolioId, symbol);
  if (!before) throw notFound('EXCLUSION_NOT_FOUND', `${symbol} is not excluded`);
  const uow = h.unitOfWork();
  h.ports.planning.deleteExclusion(uow, portfolioId, symbol);
  uow.audit({
    action: 'exclusion.delete',
    resource: resourceOf(portfolioId, 'exclusion', symbol),
    before,
    after: null,
  });
  await uow.commit();
  return { status: 204 };
};

export const getAllocation: PricedPlanningHandler<R['allocation']> = async ({ params }, h) => {
  const { portfolioId } = params;
  const portfolio = await livePortfolio(h.ports.portfolios, portfolioId);
  const nowIso = iso(h.now);
  const [record, categories, assignments, exclusions] = await Promise.all([
    h.ports.ledger.getBook(portfolioId),
    h.ports.planning.allCategories(portfolioId),
    h.ports.planning.listAssignments(portfolioId),
    h.ports.planning.listExclusions(portfolioId),
  ]);
  const valued = await valueBook(record ?? openingBook(portfolio, nowIso), h.ports.prices, nowIso);
  const view = allocationOf({
    baseCurrency: valued.baseCurrency,
    cash: valued.totals.cash.toFixed(),
    holdings: valued.holdings.flatMap((x) =>
      x.marketValueBase ? [{ symbol: x.symbol, value: x.marketValueBase }] : [],
    ),
    categories,
    assignments,
    exclusions,
  });
  return { status: 200, body: { portfolioId, asOf: valued.asOf, ...view, unpriced: valued.unpriced } };
};
