import { Link, useLocation } from 'wouter';
import { api, unwrap, useLoad } from '../api';

/** A portfolio's own pages, and its name as the page's heading context. */
export function PortfolioNav({ portfolioId }: { portfolioId: string }) {
  const [location] = useLocation();
  const portfolio = useLoad(
    async () => unwrap(await api.GET('/v1/portfolios/{portfolioId}', { params: { path: { portfolioId } } })),
    [portfolioId],
  );
  const base = `/portfolios/${portfolioId}`;
  const links: Array<[string, string]> = [
    [base, 'Overview'],
    [`${base}/import`, 'Import'],
    [`${base}/allocation`, 'Allocation'],
    [`${base}/rebalance`, 'Rebalance'],
  ];
  return (
    <nav aria-label="Portfolio" className="subnav">
      <span className="subnav-title">{portfolio.data?.name ?? portfolioId}</span>
      <ul>
        {links.map(([href, label]) => (
          <li key={href}>
            <Link href={href} aria-current={location === href ? 'page' : undefined}>
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
