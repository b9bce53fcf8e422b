import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { formatMoney, minorUnits } from '@ballast/core/money.js';
import type * as z from 'zod/mini';
import { randomId } from '../auth/api-keys.js';
import { decodeCursor, encodeCursor } from '../data/cursor.js';
import { strip } from '../data/control.js';
import { BEGINS, k } from '../data/keys.js';
import { badRequest, conflict, notFound, preconditionFailed } from '../errors.js';
import type { HandlerContext, RouteHandler } from '../http/types.js';
import { scaleOf } from '../routes/schemas.js';
import type * as s from '../routes/schemas.js';
import { audit, ctxOf, dataTableOf, etag, ifMatch, iso } from './common.js';

export interface Portfolio {
  portfolioId: string;
  tenantId: string;
  projectId: string;
  name: string;
  baseCurrency: string;
  /** decimal string, never a float */
  cash: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  deletedAt?: string;
}

function keyOf(h: HandlerContext, portfolioId: string) {
  const ctx = ctxOf(h);
  return { PK: k.portfolioPk(ctx.tenantId, ctx.projectId ?? ''), SK: k.portfolioSk(portfolioId) };
}

function publicView(p: Portfolio): Omit<Portfolio, 'deletedAt'> {
  const { deletedAt: _d, ...rest } = p;
  return rest;
}

async function load(h: HandlerContext, portfolioId: string): Promise<Portfolio> {
  const r = await h.platform.db.send(
    new GetCommand({ TableName: dataTableOf(h), Key: keyOf(h, portfolioId), ConsistentRead: true }),
  );
  const p = strip<Portfolio>(r.Item);
  if (!p || p.deletedAt) throw notFound('PORTFOLIO_NOT_FOUND', `No portfolio ${portfolioId}`);
  return p;
}

export const createPortfolio: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const body = i.body as z.infer<typeof s.createPortfolioBody>;
  const at = iso(h.now);
  const p: Portfolio = {
    portfolioId: `pf_${randomId(20)}`,
    tenantId: ctx.tenantId,
    projectId: ctx.projectId ?? '',
    name: body.name,
    baseCurrency: body.baseCurrency,
    cash: formatMoney(body.cash, body.baseCurrency),
    ...(body.description !== undefined ? { description: body.description } : {}),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const key = keyOf(h, p.portfolioId);
  await h.platform.control.transact(
    [
      { Put: { TableName: dataTableOf(h), Item: { ...key, ...p }, ConditionExpression: 'attribute_not_exists(PK)' } },
      audit(h, { action: 'portfolio.create', resource: `portfolio/${p.portfolioId}`, after: p }),
    ],
    () => conflict('WRITE_CONFLICT', 'Id collision; retry'),
  );
  return { status: 201, body: publicView(p), headers: { ETag: etag(1), Location: `/v1/portfolios/${p.portfolioId}` } };
};

export const listPortfolios: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const q = i.query as z.infer<typeof s.listQuery>;
  const pk = k.portfolioPk(ctx.tenantId, ctx.projectId ?? '');
  const r = await h.platform.db.send(
    new QueryCommand({
      TableName: dataTableOf(h),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      FilterExpression: 'attribute_not_exists(deletedAt)',
      ExpressionAttributeValues: { ':pk': pk, ':p': BEGINS.portfolio },
      Limit: q.limit,
      ExclusiveStartKey: decodeCursor(q.cursor, pk),
    }),
  );
  return {
    body: {
      items: (r.Items ?? []).map((it) => publicView(strip<Portfolio>(it) as Portfolio)),
      nextCursor: encodeCursor(r.LastEvaluatedKey),
    },
  };
};

export const getPortfolio: RouteHandler = async (i, h) => {
  const p = await load(h, String(i.params.portfolioId));
  return { body: publicView(p), headers: { ETag: etag(p.version) } };
};

async function conditionalWrite(
  h: HandlerContext,
  before: Portfolio,
  after: Portfolio,
  action: string,
  expected: number,
) {
  await h.platform.control.transact(
    [
      {
        Put: {
          TableName: dataTableOf(h),
          Item: { ...keyOf(h, before.portfolioId), ...after },
          ConditionExpression: '#v = :v AND attribute_not_exists(deletedAt)',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': expected },
        },
      },
      audit(h, { action, resource: `portfolio/${before.portfolioId}`, before, after }),
    ],
    () => preconditionFailed('The portfolio changed since you read it; re-read and retry'),
  );
}

export const patchPortfolio: RouteHandler = async (i, h) => {
  const expected = ifMatch(i.headers, true) as number;
  const body = i.body as z.infer<typeof s.patchPortfolioBody>;
  const before = await load(h, String(i.params.portfolioId));
  if (before.version !== expected) throw preconditionFailed(`The portfolio is at version ${before.version}`);
  const after: Portfolio = { ...before, updatedAt: iso(h.now), version: before.version + 1 };
  if (body.name !== undefined) after.name = body.name;
  if (body.baseCurrency !== undefined) after.baseCurrency = body.baseCurrency;
  const cash = body.cash ?? before.cash;
  if (scaleOf(cash) > minorUnits(after.baseCurrency)) {
    throw badRequest('VALIDATION_FAILED', `cash has more decimal places than ${after.baseCurrency} allows`, [
      {
        path: 'body.cash',
        message: `has more than ${minorUnits(after.baseCurrency)} decimal places for ${after.baseCurrency}`,
      },
    ]);
  }
  after.cash = formatMoney(cash, after.baseCurrency);
  if (body.description === null) delete after.description;
  else if (body.description !== undefined) after.description = body.description;
  await conditionalWrite(h, before, after, 'portfolio.update', expected);
  return { body: publicView(after), headers: { ETag: etag(after.version) } };
};

export const deletePortfolio: RouteHandler = async (i, h) => {
  const expected = ifMatch(i.headers, true) as number;
  const before = await load(h, String(i.params.portfolioId));
  if (before.version !== expected) throw preconditionFailed(`The portfolio is at version ${before.version}`);
  const after: Portfolio = { ...before, deletedAt: iso(h.now), updatedAt: iso(h.now), version: before.version + 1 };
  await conditionalWrite(h, before, after, 'portfolio.delete', expected);
  return { status: 204 };
};
