import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'wouter';
import { api, type Body, idempotencyKey, unwrap, useLoad } from '../api';
import { formatDecimal, Money } from '../components/Money';
import { PortfolioNav } from '../components/PortfolioNav';
import { ProblemView } from '../components/ProblemView';

type AllocationView = Body<'allocation.get'>;
type CategoryType = Body<'categories.create', 201>['type'];
const TYPES: CategoryType[] = [
  'equity',
  'bond',
  'cash_equivalent',
  'crypto',
  'commodity',
  'real_estate',
  'fx',
  'other',
];

/** Target and actual weight side by side: two bars on one 0–100% scale, the numbers in text beside them. */
function WeightBars({ target, actual, label }: { target: string; actual: string; label: string }) {
  const width = (pct: string) => `${Math.max(0, Math.min(100, Number(pct)))}%`;
  return (
    <div className="weights" role="img" aria-label={`${label}: target ${target}%, actual ${actual}%`}>
      <div className="bar target">
        <span style={{ width: width(target) }} />
      </div>
      <div className="bar">
        <span style={{ width: width(actual) }} />
      </div>
    </div>
  );
}

function Drift({ pct }: { pct: string }) {
  // over target is not good news nor bad: the sign says which way, no colour
  return <span>{`${pct.startsWith('-') || Number(pct) === 0 ? '' : '+'}${formatDecimal(pct, 2)} pts`}</span>;
}

function CategoryForm({ portfolioId, onCreated }: { portfolioId: string; onCreated: () => void }) {
  const [form, setForm] = useState({ name: '', code: '', type: 'equity' as CategoryType, targetPct: '', band: '' });
  const [error, setError] = useState<unknown>();
  const [key, setKey] = useState(idempotencyKey);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    try {
      unwrap(
        await api.POST('/v1/portfolios/{portfolioId}/categories', {
          params: { path: { portfolioId }, header: { 'Idempotency-Key': key } },
          body: {
            name: form.name.trim(),
            code: form.code.trim(),
            type: form.type,
            targetPct: form.targetPct.trim(),
            ...(form.band.trim() ? { rebalanceThresholdPct: form.band.trim() } : {}),
          },
        }),
      );
      setKey(idempotencyKey());
      setForm({ name: '', code: '', type: 'equity', targetPct: '', band: '' });
      onCreated();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form className="inline" onSubmit={(e) => void submit(e)} aria-labelledby="new-category">
      <h3 id="new-category" className="sr-only">
        New category
      </h3>
      <label>
        Category name
        <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
      </label>
      <label>
        Code
        <input required value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
      </label>
      <label>
        Type
        <select value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value as CategoryType })}>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t.replace('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Target %
        <input
          required
          inputMode="decimal"
          value={form.targetPct}
          onChange={(e) => setForm({ ...form, targetPct: e.target.value })}
        />
      </label>
      <label>
        Band (points)
        <input inputMode="decimal" value={form.band} onChange={(e) => setForm({ ...form, band: e.target.value })} />
      </label>
      <button type="submit">Add category</button>
      <ProblemView error={error} />
    </form>
  );
}

function AssignForm({
  portfolioId,
  view,
  onAssigned,
}: {
  portfolioId: string;
  view: AllocationView;
  onAssigned: () => void;
}) {
  const [symbol, setSymbol] = useState('');
  const [categoryId, setCategoryId] = useState('');
  const [error, setError] = useState<unknown>();
  const symbols = view.unassigned.holdings.map((h) => h.symbol);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    try {
      unwrap(
        await api.PUT('/v1/portfolios/{portfolioId}/assignments/{symbol}', {
          params: { path: { portfolioId, symbol } },
          body: { categoryId },
        }),
      );
      setSymbol('');
      onAssigned();
    } catch (err) {
      setError(err);
    }
  }
  if (view.categories.length === 0) return null;
  return (
    <form className="inline" onSubmit={(e) => void submit(e)}>
      <label>
        Holding
        <input required list="unassigned-symbols" value={symbol} onChange={(e) => setSymbol(e.target.value.trim())} />
        <datalist id="unassigned-symbols">
          {symbols.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </label>
      <label>
        Into category
        <select required value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
          <option value="">Choose…</option>
          {view.categories.map((c) => (
            <option key={c.categoryId} value={c.categoryId}>
              {c.name} ({c.code})
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Assign</button>
      <ProblemView error={error} />
    </form>
  );
}

/** Target against actual per category (cash its own line), the drift, the breaches, and the editing of both. */
export function Allocation() {
  const { portfolioId = '' } = useParams<{ portfolioId: string }>();
  const view = useLoad(
    async () => unwrap(await api.GET('/v1/portfolios/{portfolioId}/allocation', { params: { path: { portfolioId } } })),
    [portfolioId],
  );
  const v = view.data;
  return (
    <section>
      <PortfolioNav portfolioId={portfolioId} />
      <h1>Allocation</h1>
      <ProblemView error={view.error} />
      {v ? (
        <>
          <p>
            Total <Money amount={v.totalValue} currency={v.baseCurrency} /> · total drift{' '}
            {formatDecimal(v.totalDriftPct, 2)} pts · as of {new Date(v.asOf).toLocaleString()}
          </p>
          {!v.targets.valid ? (
            <p className="problem" role="status">
              Targets sum to {formatDecimal(v.targets.sumPct, 2)}%: {v.targets.message ?? 'they should sum to 100%'}
            </p>
          ) : null}
          {v.breaches.length ? (
            <ul aria-label="Breaches" className="breaches">
              {v.breaches.map((b) => (
                <li key={`${b.categoryId}-${b.kind}`}>
                  <span className="badge breach">{b.kind.replace('_', ' ')}</span> {b.code}: actual{' '}
                  {formatDecimal(b.actualPct, 2)}% against {formatDecimal(b.limitPct, 2)}% (drift{' '}
                  {formatDecimal(b.driftPct, 2)} pts)
                </li>
              ))}
            </ul>
          ) : (
            <p>No breaches: every category is inside its band.</p>
          )}
          <table>
            <caption>Target and actual by category</caption>
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col" className="num">
                  Target
                </th>
                <th scope="col" className="num">
                  Actual
                </th>
                <th scope="col">Target (upper) and actual (lower)</th>
                <th scope="col" className="num">
                  Drift
                </th>
                <th scope="col">Rebalance</th>
              </tr>
            </thead>
            <tbody>
              {v.categories.map((c) => (
                <tr key={c.categoryId}>
                  <th scope="row">
                    {c.name} <span className="muted">({c.code})</span>
                    <div className="muted">{c.holdings.map((h) => h.symbol).join(', ') || 'no holdings'}</div>
                  </th>
                  <td className="num">
                    <Money amount={c.value} currency={v.baseCurrency} />
                  </td>
                  <td className="num">{formatDecimal(c.targetPct, 2)}%</td>
                  <td className="num">{formatDecimal(c.actualPct, 2)}%</td>
                  <td>
                    <WeightBars label={c.name} target={c.targetPct} actual={c.actualPct} />
                  </td>
                  <td className="num">
                    <Drift pct={c.driftPct} />
                  </td>
                  <td>{c.needsRebalance ? <span className="badge breach">outside band</span> : 'inside band'}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">Cash</th>
                <td className="num">
                  <Money amount={v.cashLine.value} currency={v.baseCurrency} />
                </td>
                <td className="num">{formatDecimal(v.cashLine.targetPct, 2)}%</td>
                <td className="num">{formatDecimal(v.cashLine.actualPct, 2)}%</td>
                <td>
                  <WeightBars label="Cash" target={v.cashLine.targetPct} actual={v.cashLine.actualPct} />
                </td>
                <td className="num">
                  <Drift pct={v.cashLine.driftPct} />
                </td>
                <td />
              </tr>
              {v.unassigned.holdings.length ? (
                <tr>
                  <th scope="row">
                    Unassigned
                    <div className="muted">{v.unassigned.holdings.map((h) => h.symbol).join(', ')}</div>
                  </th>
                  <td className="num">
                    <Money amount={v.unassigned.value} currency={v.baseCurrency} />
                  </td>
                  <td className="num">—</td>
                  <td className="num">{formatDecimal(v.unassigned.actualPct, 2)}%</td>
                  <td />
                  <td />
                  <td>never traded</td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <p>
            <Link href={`/portfolios/${portfolioId}/rebalance`}>Propose a rebalance</Link>
          </p>
          <h2>Categories and assignments</h2>
          <CategoryForm portfolioId={portfolioId} onCreated={() => void view.reload()} />
          <AssignForm portfolioId={portfolioId} view={v} onAssigned={() => void view.reload()} />
        </>
      ) : null}
    </section>
  );
}
