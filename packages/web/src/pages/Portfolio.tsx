import { useMemo, useState } from 'react';
import { useParams } from 'wouter';
import { api, type Body, unwrap, useLoad } from '../api';
import { LineChart } from '../components/LineChart';
import { Figures } from '../components/Figures';
import { formatDecimal, Money } from '../components/Money';
import { PortfolioNav } from '../components/PortfolioNav';
import { ProblemView } from '../components/ProblemView';

type Summary = Body<'portfolios.summary'>;
type Period = NonNullable<Body<'portfolios.performance'>['period']>;
const PERIODS: Period[] = ['1D', 'WTD', 'MTD', 'YTD', '1Y', '5Y', 'MAX'];

/** A signed percentage from the API's decimal string (already a percentage). */
function Pct({ value }: { value: string | null | undefined }) {
  if (value === null || value === undefined) return <span>—</span>;
  const negative = value.startsWith('-');
  return (
    <span className={negative ? 'negative' : 'positive'}>
      {negative ? '' : '+'}
      {formatDecimal(value, 2)}%
    </span>
  );
}

/** A return the API gives in percent (a float metric, not money). */
function returnText(r: number | null | undefined): string {
  if (r === null || r === undefined) return '—';
  // an annualised return over a few days can be astronomical: past a million percent it says so
  if (Math.abs(r) >= 1e6) return `${r < 0 ? 'below −' : 'over '}1,000,000%`;
  return `${r.toFixed(2)}%`;
}

function SummaryCards({ s }: { s: Summary }) {
  const cards: Array<[string, React.ReactNode]> = [
    ['Value', <Money key="v" amount={s.value} currency={s.baseCurrency} />],
    ['Cash', <Money key="c" amount={s.cash} currency={s.baseCurrency} />],
    ['Invested', <Money key="i" amount={s.invested} currency={s.baseCurrency} />],
    [
      'Total gain',
      <span key="g">
        <Money amount={s.totalGain.amount} currency={s.baseCurrency} /> <Pct value={s.totalGain.pct} />
      </span>,
    ],
    [
      'Today',
      <span key="d">
        <Money amount={s.dayGain.amount} currency={s.baseCurrency} /> <Pct value={s.dayGain.pct} />
      </span>,
    ],
    ['Income', <Money key="n" amount={s.income} currency={s.baseCurrency} />],
  ];
  return <Figures items={cards} />;
}

function Performance({ portfolioId }: { portfolioId: string }) {
  const [period, setPeriod] = useState<Period>('1Y');
  const perf = useLoad(
    async () =>
      unwrap(
        await api.GET('/v1/portfolios/{portfolioId}/performance', {
          params: { path: { portfolioId }, query: { period } },
        }),
      ),
    [portfolioId, period],
  );
  const points = useMemo(
    () => (perf.data?.series ?? []).map((p) => ({ at: p.date, value: Number(p.value) })),
    [perf.data],
  );
  return (
    <section aria-labelledby="performance-title">
      <h2 id="performance-title">Performance</h2>
      <div role="group" aria-label="Period" className="actions">
        {PERIODS.map((p) => (
          <button
            key={p}
            type="button"
            className={p === period ? undefined : 'secondary'}
            aria-pressed={p === period}
            onClick={() => setPeriod(p)}
          >
            {p}
          </button>
        ))}
      </div>
      <ProblemView error={perf.error} />
      {perf.data ? (
        <>
          <p aria-live="polite">
            {perf.data.from} to {perf.data.to}: time-weighted return {returnText(perf.data.twr)}, money-weighted (XIRR){' '}
            {returnText(perf.data.xirr)}
            {perf.data.unpricedDays ? ` · ${perf.data.unpricedDays} days without prices` : ''}
          </p>
          <LineChart label={`Portfolio value, ${period}`} points={points} kind="area" />
        </>
      ) : null}
    </section>
  );
}

/** A portfolio: its summary, performance over a chosen period, and its holdings valued on market data. */
export function Portfolio() {
  const { portfolioId = '' } = useParams<{ portfolioId: string }>();
  const summary = useLoad(
    async () => unwrap(await api.GET('/v1/portfolios/{portfolioId}/summary', { params: { path: { portfolioId } } })),
    [portfolioId],
  );
  const holdings = useLoad(
    async () => unwrap(await api.GET('/v1/portfolios/{portfolioId}/holdings', { params: { path: { portfolioId } } })),
    [portfolioId],
  );
  const s = summary.data;
  return (
    <section>
      <PortfolioNav portfolioId={portfolioId} />
      <h1>Overview</h1>
      <ProblemView error={summary.error} />
      {s ? (
        <>
          <p>
            Valued as of {new Date(s.asOf).toLocaleString()} · {s.holdings} holdings
            {s.unpriced.length ? ` · no price for ${s.unpriced.map((u) => u.symbol).join(', ')}` : ''}
          </p>
          <SummaryCards s={s} />
        </>
      ) : null}
      <Performance portfolioId={portfolioId} />
      <ProblemView error={holdings.error} />
      <table>
        <caption>Holdings</caption>
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Average cost
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Market value
            </th>
            <th scope="col" className="num">
              Unrealised gain
            </th>
            <th scope="col" className="num">
              Weight
            </th>
          </tr>
        </thead>
        <tbody>
          {(holdings.data?.items ?? []).map((h) => (
            <tr key={h.symbol}>
              <th scope="row">
                {h.symbol}
                {h.name ? <span className="muted"> {h.name}</span> : null}
              </th>
              <td className="num">{formatDecimal(h.quantity, 6)}</td>
              <td className="num">
                <Money amount={h.averageCost} currency={h.currency} />
              </td>
              <td className="num">
                <Money amount={h.price} currency={h.currency} />
                {h.priceStale ? <span className="badge"> stale</span> : null}
              </td>
              <td className="num">
                <Money amount={h.marketValueBase} currency={holdings.data?.baseCurrency} />
              </td>
              <td className="num">
                {h.unrealisedGain ? (
                  <>
                    <Money amount={h.unrealisedGain.amount} currency={holdings.data?.baseCurrency} />{' '}
                    <Pct value={h.unrealisedGain.pct} />
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td className="num">{h.weight === null ? '—' : `${formatDecimal(h.weight, 2)}%`}</td>
            </tr>
          ))}
          {holdings.data && holdings.data.items.length === 0 ? (
            <tr>
              <td colSpan={7}>No holdings yet: import transactions or record a trade.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
