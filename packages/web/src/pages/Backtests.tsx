import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import type { operations } from '@ballast/client/index.js';
import { api, type Body, idempotencyKey, unwrap, useLoad } from '../api';
import { LineChart } from '../components/LineChart';
import { Figures } from '../components/Figures';
import { formatDecimal, Money } from '../components/Money';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';

type Backtest = Body<'backtests.get'>;
type BacktestRow = Body<'backtests.list'>['items'][number];
type Trade = Body<'backtests.trades'>['items'][number];
type CreateBody = operations['backtests.create']['requestBody']['content']['application/json'];
type Interval = CreateBody['interval'];
const INTERVALS: Interval[] = ['1day', '1week', '1h', '4h', '15min', '5min', '1min'];

const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(2)}%`);
const num = (r: number | null | undefined) => (r === null || r === undefined ? '—' : r.toFixed(2));
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function BacktestForm() {
  const [, navigate] = useLocation();
  const strategies = useLoad(async () => unwrap(await api.GET('/v1/strategies')), []);
  const [form, setForm] = useState({
    strategy: 'smaCross',
    symbol: 'AAPL',
    interval: '1day' as Interval,
    from: isoDay(Date.now() - 3 * 365 * 86_400_000),
    to: isoDay(Date.now()),
    initialCapital: '10000',
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const chosen = strategies.data?.items.find((s) => s.name === form.strategy);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.POST('/v1/backtests', {
        params: { header: { 'Idempotency-Key': idempotencyKey() } },
        body: {
          strategy: form.strategy as CreateBody['strategy'],
          symbol: form.symbol.trim(),
          interval: form.interval,
          from: new Date(`${form.from}T00:00:00Z`).toISOString(),
          to: new Date(`${form.to}T23:59:59Z`).toISOString(),
          initialCapital: form.initialCapital.trim(),
        },
      });
      // 201 with the result for a small run, 202 with the id of a run on the jobs spine: both have the id
      const created = unwrap(res);
      navigate(`/backtests/${created.backtestId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="new-backtest">
      <h2 id="new-backtest">Run a backtest</h2>
      <label>
        Strategy
        <select value={form.strategy} onChange={(e) => setForm({ ...form, strategy: e.target.value })}>
          {(strategies.data?.items ?? [{ name: 'smaCross', title: 'SMA cross' }]).map((s) => (
            <option key={s.name} value={s.name}>
              {s.title}
            </option>
          ))}
        </select>
      </label>
      {chosen ? <p className="muted">{chosen.description}</p> : null}
      <label>
        Symbol
        <input required value={form.symbol} onChange={(e) => setForm({ ...form, symbol: e.target.value })} />
      </label>
      <label>
        Interval
        <select value={form.interval} onChange={(e) => setForm({ ...form, interval: e.target.value as Interval })}>
          {INTERVALS.map((i) => (
            <option key={i}>{i}</option>
          ))}
        </select>
      </label>
      <label>
        From
        <input type="date" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
      </label>
      <label>
        To
        <input type="date" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
      </label>
      <label>
        Initial capital
        <input
          inputMode="decimal"
          required
          value={form.initialCapital}
          onChange={(e) => setForm({ ...form, initialCapital: e.target.value })}
        />
      </label>
      <ProblemView error={error ?? strategies.error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Run backtest
        </button>
      </div>
    </form>
  );
}

function Metrics({ b }: { b: Backtest }) {
  const m = b.metrics ?? {};
  const money = b.money;
  const cards: Array<[string, React.ReactNode]> = [
    ['Final equity', <Money key="f" amount={money?.finalEquity} currency={money?.currency} />],
    ['Net profit', <Money key="n" amount={money?.netProfit} currency={money?.currency} />],
    ['Total return', pct(m.totalReturn)],
    ['Annual return', pct(m.annualReturn)],
    ['Sharpe', num(m.sharpe)],
    ['Sortino', num(m.sortino)],
    ['Max drawdown', pct(m.maxDrawdown)],
    ['Win rate', pct(m.winRate)],
    ['Profit factor', num(m.profitFactor)],
    ['Trades', String(b.tradeCount ?? '—')],
  ];
  return <Figures items={cards} />;
}

/** The full curve (the chart shows at most 2,000 points) as a CSV file, fetched with the session's token. */
function EquityDownload({ backtestId }: { backtestId: string }) {
  const [error, setError] = useState<unknown>();
  async function download() {
    setError(undefined);
    try {
      const csv = unwrap(
        await api.GET('/v1/backtests/{backtestId}/equity', {
          params: { path: { backtestId }, query: { format: 'csv' } },
          parseAs: 'text',
        }),
      );
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([String(csv)], { type: 'text/csv' }));
      link.download = `${backtestId}-equity.csv`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (e) {
      setError(e);
    }
  }
  return (
    <div className="actions">
      <button type="button" className="secondary" onClick={() => void download()}>
        Download the full equity curve (CSV)
      </button>
      <ProblemView error={error} />
    </div>
  );
}

function BacktestDetail({ backtestId }: { backtestId: string }) {
  const [tick, setTick] = useState(0);
  const run = useLoad(
    async () => unwrap(await api.GET('/v1/backtests/{backtestId}', { params: { path: { backtestId } } })),
    [backtestId, tick],
  );
  const b = run.data;
  const running = b?.status === 'pending' || b?.status === 'running';
  // a run on the jobs spine: read it again each second until it ends
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(() => setTick((n) => n + 1), 1000);
    return () => clearTimeout(t);
  }, [running, b?.version, b?.progress.done]);
  const equity = useMemo(
    () => (b?.curve?.items ?? []).map((p) => ({ at: p.time, value: Number(p.equity) })),
    [b?.curve],
  );
  const drawdown = useMemo(
    () => (b?.curve?.items ?? []).map((p) => ({ at: p.time, value: p.drawdown * 100 })),
    [b?.curve],
  );
  if (!b) return <ProblemView error={run.error} />;
  const r = b.request;
  return (
    <section aria-labelledby="backtest-title">
      <h2 id="backtest-title">
        {r.strategy} on {r.symbol} ({r.interval}) <span className="badge">{b.status}</span>
      </h2>
      <p>
        {r.from.slice(0, 10)} to {r.to.slice(0, 10)} · {b.bars ?? '…'} bars · initial{' '}
        <Money amount={r.initialCapital} currency={r.currency} /> · run{' '}
        {b.runner === 'job' ? 'on the jobs spine' : 'inline'}
      </p>
      {b.status === 'pending' ? (
        <p className="muted">Queued: a run this long goes to the jobs spine, which starts it at the next minute.</p>
      ) : null}
      {running ? (
        <p aria-live="polite">
          <progress max={b.progress.total || 1} value={b.progress.done} aria-label="Backtest progress" />{' '}
          {b.progress.done} of {b.progress.total}
        </p>
      ) : null}
      {b.error ? <ProblemView error={new Error(`${b.error.message} (${b.error.code})`)} /> : null}
      {b.status === 'completed' ? (
        <>
          <Metrics b={b} />
          <LineChart label="Equity" points={equity} kind="area" />
          <LineChart label="Drawdown (%)" points={drawdown} colour="#b91c1c" height={180} />
          <EquityDownload backtestId={backtestId} />
          <Paged<Trade>
            caption="Trades"
            rowKey={(t) => `${t.entryTime}-${t.side}`}
            load={async (cursor) =>
              unwrap(
                await api.GET('/v1/backtests/{backtestId}/trades', {
                  params: { path: { backtestId }, query: { limit: 25, ...(cursor ? { cursor } : {}) } },
                }),
              )
            }
            columns={[
              { header: 'Side', cell: (t) => t.side },
              { header: 'Entry', cell: (t) => t.entryTime.slice(0, 10) },
              { header: 'Exit', cell: (t) => t.exitTime.slice(0, 10) },
              { header: 'Quantity', numeric: true, cell: (t) => formatDecimal(t.quantity, 6) },
              {
                header: 'Entry price',
                numeric: true,
                cell: (t) => <Money amount={t.entryPrice} currency={r.currency} />,
              },
              {
                header: 'Exit price',
                numeric: true,
                cell: (t) => <Money amount={t.exitPrice} currency={r.currency} />,
              },
              { header: 'P&L', numeric: true, cell: (t) => <Money amount={t.pnl} currency={r.currency} /> },
              { header: 'Return', numeric: true, cell: (t) => pct(t.returnPct) },
              { header: 'Exit reason', cell: (t) => t.exitReason },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}

/** Backtests: run one on stored candles, read its metrics, equity and drawdown, and its trades. */
export function Backtests() {
  const { backtestId } = useParams<{ backtestId?: string }>();
  return (
    <section>
      <h1>Backtests</h1>
      {backtestId ? (
        <>
          <p>
            <Link href="/backtests">All backtests</Link>
          </p>
          <BacktestDetail backtestId={backtestId} />
        </>
      ) : (
        <>
          <BacktestForm />
          <Paged<BacktestRow>
            caption="Backtests of this project"
            rowKey={(b) => b.backtestId}
            load={async (cursor) =>
              unwrap(
                await api.GET('/v1/backtests', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }),
              )
            }
            columns={[
              {
                header: 'Backtest',
                cell: (b) => (
                  <Link href={`/backtests/${b.backtestId}`}>
                    {b.request.strategy} on {b.request.symbol}
                  </Link>
                ),
              },
              { header: 'Status', cell: (b) => b.status },
              { header: 'Total return', numeric: true, cell: (b) => pct(b.metrics?.totalReturn) },
              { header: 'Run', cell: (b) => new Date(b.createdAt).toLocaleString() },
            ]}
          />
        </>
      )}
    </section>
  );
}
