import { formatMoney, minorUnits, money } from '@ballast/core/money.js';
import { AppError, badRequest, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import { newPortfolioId } from './ids.js';
import { jobs, PURGE_GRACE_MS } from './jobs.js';
import { livePortfolio } from './ledger-service.js';
import type { PortfolioHandler, PortfolioJobHandler } from './ports.js';
import type { routes } from './routes.js';
import { scaleOf } from './schemas.js';
import type { Portfolio } from './store.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();

function publicView(p: Portfolio): Omit<Portfolio, 'deletedAt'> {
  const { deletedAt: _deletedAt, ...rest } = p;
  return rest;
}

export const createPortfolio: PortfolioHandler<R['create']> = async ({ body }, h) => {
  const at = iso(h.now);
  const p: Portfolio = {
    portfolioId: newPortfolioId(h.now),
    tenantId: h.ctx.tenantId,
    projectId: h.ctx.projectId ?? '',
    name: body.name,
    baseCurrency: body.baseCurrency,
    cash: formatMoney(body.cash, body.baseCurrency),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.allowNegativeCash !== undefined ? { allowNegativeCash: body.allowNegativeCash } : {}),
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.portfolios.create(uow, p);
  uow.audit({ action: 'portfolio.create', resource: `portfolio/${p.portfolioId}`, after: p });
  await uow.commit();
  return {
    status: 201,
    body: publicView(p),
    headers: { ETag: etag(1), Location: `/v1/portfolios/${p.portfolioId}` },
  };
};

export const listPortfolios: PortfolioHandler<R['list']> = async ({ query }, h) => {
  const page = await h.ports.portfolios.list(query);
  return { status: 200, body: { items: page.items.map(publicView), nextCursor: page.nextCursor } };
};

export const getPortfolio: PortfolioHandler<R['get']> = async ({ params }, h) => {
  const p = await livePortfolio(h.ports.portfolios, params.portfolioId);
  return { status: 200, body: publicView(p), headers: { ETag: etag(p.version) } };
};

/**
 * A portfolio's base currency may change only when no amount would be rescaled or reinterpreted:
 * both currencies have the same minor unit (EUR and USD: 2; JPY: 0) and the portfolio holds no
 * cash. Anything else is refused whether or not the request also sends cash — "10.00" EUR is not
 * "10" JPY, nor 10 USD — because amounts held in the portfolio's currency (its cash today, later
 * its ledger and holdings) would silently change their meaning.
 */
function refuseCurrencyChange(before: Portfolio, to: string): void {
  const from = before.baseCurrency;
  if (to === from) return;
  const [fromDigits, toDigits] = [minorUnits(from), minorUnits(to)];
  let reason: string | undefined;
  if (fromDigits !== toDigits) {
    reason = `${from} has ${fromDigits} decimal places and ${to} has ${toDigits}: its amounts would be rescaled`;
  } else if (!money(before.cash).isZero()) {
    reason = `the portfolio holds ${before.cash} ${from}, which a change to ${to} would reinterpret`;
  }
  if (reason) {
    throw new AppError(
      422,
      'CURRENCY_CHANGE_REFUSED',
      `The base currency cannot change from ${from} to ${to}: ${reason}`,
      {
        extra: { from, to },
      },
    );
  }
}

export const patchPortfolio: PortfolioHandler<R['patch']> = async ({ params, body, ifMatch }, h) => {
  const before = await livePortfolio(h.ports.portfolios, params.portfolioId);
  if (before.version !== ifMatch) throw preconditionFailed(`The portfolio is at version ${before.version}`);
  const after: Portfolio = { ...before, updatedAt: iso(h.now), version: before.version + 1 };
  if (body.name !== undefined) after.name = body.name;
  if (body.allowNegativeCash !== undefined) after.allowNegativeCash = body.allowNegativeCash;
  const changesCash = body.cash !== undefined && !money(body.cash).eq(money(before.cash));
  const changesCurrency = body.baseCurrency !== undefined && body.baseCurrency !== before.baseCurrency;
  const hasLedger = (changesCash || changesCurrency) && (await h.ports.ledger.getBook(before.portfolioId));
  if (hasLedger && changesCurrency) {
    throw new AppError(
      422,
      'CURRENCY_CHANGE_REFUSED',
      `The base currency cannot change from ${before.baseCurrency}: the portfolio has a ledger in it`,
      { extra: { from: before.baseCurrency, to: body.baseCurrency } },
    );
  }
  if (hasLedger && changesCash) {
    throw new AppError(
      422,
      'CASH_MANAGED_BY_LEDGER',
      'This portfolio has a ledger: its cash moves only with transactions (record a DEPOSIT or WITHDRAWAL)',
    );
  }
  if (body.baseCurrency !== undefined) {
    refuseCurrencyChange(before, body.baseCurrency);
    after.baseCurrency = body.baseCurrency;
  }
  const cash = body.cash ?? before.cash;
  const digits = minorUnits(after.baseCurrency);
  if (scaleOf(cash) > digits) {
    throw badRequest('VALIDATION_FAILED', `cash has more decimal places than ${after.baseCurrency} allows`, [
      { path: 'body.cash', message: `has more than ${digits} decimal places for ${after.baseCurrency}` },
    ]);
  }
  after.cash = formatMoney(cash, after.baseCurrency);
  if (body.description === null) delete after.description;
  else if (body.description !== undefined) after.description = body.description;
  const uow = h.unitOfWork();
  h.ports.portfolios.update(uow, after, ifMatch);
  uow.audit({ action: 'portfolio.update', resource: `portfolio/${before.portfolioId}`, before, after });
  await uow.commit();
  return { status: 200, body: publicView(after), headers: { ETag: etag(after.version) } };
};

export const deletePortfolio: PortfolioHandler<R['delete']> = async ({ params, ifMatch }, h) => {
  const before = await livePortfolio(h.ports.portfolios, params.portfolioId);
  if (before.version !== ifMatch) throw preconditionFailed(`The portfolio is at version ${before.version}`);
  const after: Portfolio = { ...before, deletedAt: iso(h.now), updatedAt: iso(h.now), version: before.version + 1 };
  const uow = h.unitOfWork();
  h.ports.portfolios.update(uow, after, ifMatch);
  h.ports.due.schedule(uow, {
    job: jobs.purge.id,
    tenantId: h.ctx.tenantId,
    env: h.ctx.env,
    projectId: after.projectId,
    workId: after.portfolioId,
    dueAt: iso(h.now + PURGE_GRACE_MS),
    payload: { portfolioId: after.portfolioId, version: after.version },
  });
  uow.audit({ action: 'portfolio.delete', resource: `portfolio/${before.portfolioId}`, before, after });
  await uow.commit();
  return { status: 204 };
};

/** Purges a soft-deleted portfolio whose grace period is over, unless it changed since it was deleted. */
export const purgePortfolio: PortfolioJobHandler<(typeof jobs)['purge']> = async (payload, h) => {
  const store = h.ports.portfolios;
  const p = await store.get(payload.portfolioId);
  if (!p?.deletedAt || p.version !== payload.version) return 'skipped';
  if (Date.parse(p.deletedAt) + PURGE_GRACE_MS > h.now) return 'skipped';
  const uow = h.unitOfWork();
  store.purge(uow, p.portfolioId, p.version);
  uow.audit({ action: 'portfolio.purge', resource: `portfolio/${p.portfolioId}`, before: p, after: null });
  try {
    await uow.commit();
  } catch (e) {
    if (e instanceof AppError && e.code === 'PURGE_SKIPPED') return 'skipped';
    throw e;
  }
  return 'processed';
};
