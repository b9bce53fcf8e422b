import { type FormEvent, useState } from 'react';
import { useParams } from 'wouter';
import { api, type Body, idempotencyKey, unwrap, useLoad } from '../api';
import { formatDecimal, Money } from '../components/Money';
import { Paged } from '../components/Paged';
import { PortfolioNav } from '../components/PortfolioNav';
import { ProblemView } from '../components/ProblemView';

type Proposal = Body<'rebalance.proposals.create', 201>;
type Execution = Body<'rebalance.proposals.execute', 201>;
type ProposalRow = Body<'rebalance.proposals.list'>['items'][number];

function pts(pct: string) {
  return `${formatDecimal(pct, 2)}%`;
}

function ProposalView({ p, onExecuted }: { p: Proposal; onExecuted: (e: Execution) => void }) {
  const plan = p.plan;
  const ccy = plan.baseCurrency;
  const [accountId, setAccountId] = useState(p.accountId ?? '');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // one key per proposal: executing it twice (a double click, a lost answer) places its orders once
  const [key] = useState(idempotencyKey);
  const accounts = useLoad(
    async () => unwrap(await api.GET('/v1/accounts', { params: { query: { limit: 100 } } })),
    [],
  );

  async function execute() {
    if (!window.confirm(`Send ${plan.trades.length} orders to the account's venue?`)) return;
    setBusy(true);
    setError(undefined);
    try {
      onExecuted(
        unwrap(
          await api.POST('/v1/portfolios/{portfolioId}/rebalance/proposals/{proposalId}/execute', {
            params: {
              path: { portfolioId: p.portfolioId, proposalId: p.proposalId },
              header: { 'Idempotency-Key': key },
            },
            body: accountId ? { accountId } : {},
          }),
        ),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="proposal-title">
      <h2 id="proposal-title">
        Proposal {p.proposalId} <span className="badge">{p.status}</span>
      </h2>
      <p>
        Cash <Money amount={plan.cashBefore} currency={ccy} /> → <Money amount={plan.cashAfter} currency={ccy} /> ·
        total drift {pts(plan.drift.before.totalDriftPct)} → {pts(plan.drift.after.totalDriftPct)} · estimated costs{' '}
        <Money amount={plan.estimatedCosts} currency={ccy} /> · expires {new Date(p.expiresAt).toLocaleTimeString()}
      </p>
      {p.gate.evaluated ? null : (
        <p className="muted">Risk gate not evaluated: {p.gate.detail ?? 'no account given'}</p>
      )}
      <table>
        <caption>Trades</caption>
        <thead>
          <tr>
            <th scope="col">Side</th>
            <th scope="col">Symbol</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Notional
            </th>
            <th scope="col">Why</th>
            <th scope="col">Tax lots</th>
          </tr>
        </thead>
        <tbody>
          {plan.trades.map((t) => (
            <tr key={`${t.side}-${t.symbol}`}>
              <td>{t.side}</td>
              <th scope="row">{t.symbol}</th>
              <td className="num">{formatDecimal(t.quantity, 6)}</td>
              <td className="num">
                <Money amount={t.price} currency={ccy} />
              </td>
              <td className="num">
                <Money amount={t.notional} currency={ccy} />
              </td>
              <td>
                {t.reason}
                {t.washSales.map((w) => (
                  <div key={w.kind} className="badge breach">
                    wash sale: {w.detail}
                  </div>
                ))}
              </td>
              <td>
                {t.lots?.length ? (
                  <ul className="lots">
                    {t.lots.map((l) => (
                      <li key={l.lotId}>
                        {formatDecimal(l.quantity, 6)} from {l.acquired.slice(0, 10)} ({l.term} term), gain{' '}
                        <Money amount={l.gain} currency={ccy} />
                      </li>
                    ))}
                  </ul>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
          {plan.trades.length === 0 ? (
            <tr>
              <td colSpan={7}>No trade: every category is inside its band.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {plan.dropped.length ? (
        <table>
          <caption>Dropped trades</caption>
          <thead>
            <tr>
              <th scope="col">Side</th>
              <th scope="col">Symbol</th>
              <th scope="col" className="num">
                Notional
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {plan.dropped.map((d) => (
              <tr key={`${d.side}-${d.symbol}-${d.reason}`}>
                <td>{d.side}</td>
                <th scope="row">{d.symbol}</th>
                <td className="num">
                  <Money amount={d.notional} currency={ccy} />
                </td>
                <td>
                  <span className="badge">{d.reason.replaceAll('_', ' ')}</span> {d.detail}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <table>
        <caption>Drift by category, before and after</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col" className="num">
              Target
            </th>
            <th scope="col" className="num">
              Before
            </th>
            <th scope="col" className="num">
              After
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.drift.before.categories.map((c) => {
            const after = plan.drift.after.categories.find((a) => a.categoryId === c.categoryId);
            return (
              <tr key={c.categoryId}>
                <th scope="row">{c.name}</th>
                <td className="num">{pts(c.targetPct)}</td>
                <td className="num">
                  {pts(c.actualPct)} {c.outsideBand ? <span className="badge breach">outside</span> : null}
                </td>
                <td className="num">{after ? pts(after.actualPct) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {p.status === 'proposed' && plan.trades.length ? (
        <div className="actions">
          <label>
            Account
            <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
              <option value="">Choose an account…</option>
              {(accounts.data?.items ?? []).map((a) => (
                <option key={a.accountId} value={a.accountId}>
                  {a.name} ({a.venue}, {a.mode})
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={busy || !accountId} onClick={() => void execute()}>
            Execute proposal
          </button>
        </div>
      ) : null}
      <ProblemView error={error ?? accounts.error} />
    </section>
  );
}

function ExecutionView({ e }: { e: Execution }) {
  return (
    <section aria-labelledby="execution-title" className="notice">
      <h2 id="execution-title">
        Execution <span className="badge">{e.status}</span>
      </h2>
      <p>
        {e.mode === 'GUIDE' ? 'Guide mode: every order was previewed, none sent. ' : ''}
        {e.tradesExecuted} of {e.tradesPlanned} trades placed. {e.detail ?? ''}
      </p>
      <ul>
        {e.orders.map((o) => (
          <li key={`${o.side}-${o.symbol}`}>
            {o.side} {formatDecimal(o.quantity, 6)} {o.symbol}: {o.status}
            {o.error ? ` (${o.error.code}: ${o.error.detail})` : ''}
          </li>
        ))}
      </ul>
      <ProblemView error={e.error ? new Error(`${e.error.detail} (${e.error.code})`) : undefined} />
    </section>
  );
}

/** Propose a rebalance back to the targets, read its trades and why some were dropped, then execute it. */
export function Rebalance() {
  const { portfolioId = '' } = useParams<{ portfolioId: string }>();
  const [options, setOptions] = useState({
    band: 'absolute' as 'absolute' | 'relative',
    thresholdPct: '',
    taxAware: false,
  });
  const [proposal, setProposal] = useState<Proposal>();
  const [execution, setExecution] = useState<Execution>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [listKey, setListKey] = useState(0);

  async function propose(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setExecution(undefined);
    try {
      setProposal(
        unwrap(
          await api.POST('/v1/portfolios/{portfolioId}/rebalance/proposals', {
            params: { path: { portfolioId }, header: { 'Idempotency-Key': idempotencyKey() } },
            body: {
              band: options.band,
              taxAware: options.taxAware,
              ...(options.thresholdPct.trim() ? { thresholdPct: options.thresholdPct.trim() } : {}),
            },
          }),
        ),
      );
      setListKey((k) => k + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function open(proposalId: string) {
    setError(undefined);
    setExecution(undefined);
    try {
      setProposal(
        unwrap(
          await api.GET('/v1/portfolios/{portfolioId}/rebalance/proposals/{proposalId}', {
            params: { path: { portfolioId, proposalId } },
          }),
        ),
      );
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section>
      <PortfolioNav portfolioId={portfolioId} />
      <h1>Rebalance</h1>
      <form className="inline" onSubmit={(e) => void propose(e)}>
        <label>
          Band
          <select
            value={options.band}
            onChange={(e) => setOptions({ ...options, band: e.target.value as 'absolute' | 'relative' })}
          >
            <option value="absolute">absolute (points)</option>
            <option value="relative">relative (% of target)</option>
          </select>
        </label>
        <label>
          Threshold
          <input
            inputMode="decimal"
            placeholder="each category's own"
            value={options.thresholdPct}
            onChange={(e) => setOptions({ ...options, thresholdPct: e.target.value })}
          />
        </label>
        <label className="choice">
          <input
            type="checkbox"
            checked={options.taxAware}
            onChange={(e) => setOptions({ ...options, taxAware: e.target.checked })}
          />
          Tax-aware sells
        </label>
        <button type="submit" disabled={busy}>
          Propose a rebalance
        </button>
      </form>
      <p aria-live="polite">{busy ? 'Working out the trades…' : ''}</p>
      <ProblemView error={error} />
      {execution ? <ExecutionView e={execution} /> : null}
      {proposal ? (
        <ProposalView
          key={proposal.proposalId}
          p={proposal}
          onExecuted={(x) => {
            setExecution(x);
            setProposal({ ...proposal, status: x.mode === 'GUIDE' ? 'previewed' : 'executing' });
            setListKey((k) => k + 1);
          }}
        />
      ) : null}
      <h2>Earlier proposals</h2>
      <Paged<ProposalRow>
        caption="Proposals"
        reloadKey={listKey}
        rowKey={(r) => r.proposalId}
        load={async (cursor) =>
          unwrap(
            await api.GET('/v1/portfolios/{portfolioId}/rebalance/proposals', {
              params: { path: { portfolioId }, query: { limit: 10, ...(cursor ? { cursor } : {}) } },
            }),
          )
        }
        columns={[
          {
            header: 'Proposal',
            cell: (r) => (
              <button type="button" className="secondary" onClick={() => void open(r.proposalId)}>
                {new Date(r.createdAt).toLocaleString()}
              </button>
            ),
          },
          { header: 'Status', cell: (r) => r.status },
          { header: 'Source', cell: (r) => r.source },
          { header: 'Trades', numeric: true, cell: (r) => r.plan.trades.length },
        ]}
      />
    </section>
  );
}
