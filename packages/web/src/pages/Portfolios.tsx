import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, type Body, idempotencyKey, unwrap } from '../api';
import { Money } from '../components/Money';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';

type PortfolioRow = Body<'portfolios.list'>['items'][number];

/** The project's portfolios, and a form to open one (its cash is the opening deposit). */
export function Portfolios() {
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [baseCurrency, setBaseCurrency] = useState('USD');
  const [cash, setCash] = useState('0');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // one key per filled-in form: a double click or a retry after a lost answer opens one portfolio
  const [key, setKey] = useState(idempotencyKey);

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = unwrap(
        await api.POST('/v1/portfolios', {
          params: { header: { 'Idempotency-Key': key } },
          body: { name: name.trim(), baseCurrency: baseCurrency.trim().toUpperCase(), cash: cash.trim() },
        }),
      );
      setKey(idempotencyKey());
      navigate(`/portfolios/${created.portfolioId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>Portfolios</h1>
      <Paged<PortfolioRow>
        caption="Portfolios of this project"
        rowKey={(p) => p.portfolioId}
        empty="No portfolio yet: open one below."
        load={async (cursor) =>
          unwrap(await api.GET('/v1/portfolios', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }))
        }
        columns={[
          { header: 'Name', cell: (p) => <Link href={`/portfolios/${p.portfolioId}`}>{p.name}</Link> },
          { header: 'Currency', cell: (p) => p.baseCurrency },
          { header: 'Cash', numeric: true, cell: (p) => <Money amount={p.cash} currency={p.baseCurrency} /> },
          { header: 'Opened', cell: (p) => new Date(p.createdAt).toLocaleDateString() },
        ]}
      />

      <h2>Open a portfolio</h2>
      <form onSubmit={(e) => void create(e)} onChange={() => setError(undefined)}>
        <label>
          Name
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Base currency
          <input
            required
            pattern="[A-Za-z]{3}"
            title="An ISO 4217 code such as USD"
            value={baseCurrency}
            onChange={(e) => setBaseCurrency(e.target.value)}
          />
        </label>
        <label>
          Opening cash
          <input inputMode="decimal" value={cash} onChange={(e) => setCash(e.target.value)} />
        </label>
        <ProblemView error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Open portfolio
          </button>
        </div>
      </form>
    </section>
  );
}
