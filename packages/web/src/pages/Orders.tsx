import { type FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api, type Body, idempotencyKey, ProblemError, unwrap, useLoad } from '../api';
import { Figure } from '../components/Figures';
import { formatDecimal, formatMoney, Money } from '../components/Money';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';
import { ModeControl } from './Risk';
import './Orders.css';

type AccountRow = Body<'accounts.list'>['items'][number];
type Account = Body<'accounts.get'>;
type OrderRow = Body<'orders.list'>['items'][number];
type Positions = Body<'accounts.positions'>;
type Venue = AccountRow['venue'];

/** Statuses of an order still working at its venue: the ones a cancel can stop. */
const WORKING = new Set(['pending', 'submitted', 'partially_filled']);

const SCALE = 12;
/** A decimal string as an integer of 10^-SCALE units, so P&L is exact (money never goes through a float). */
function scaled(value: string): bigint {
  const text = value.trim();
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const units = BigInt(whole || '0') * 10n ** BigInt(SCALE) + BigInt(fraction.slice(0, SCALE).padEnd(SCALE, '0'));
  return negative ? -units : units;
}
function unscaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
/** Unrealised P&L of a holding: market value − quantity × average cost (undefined without a price). */
export function unrealised(p: Positions['items'][number]): string | undefined {
  if (p.marketValue === undefined) return undefined;
  const cost = scaled(p.quantity) * scaled(p.averageCost);
  return unscaled(scaled(p.marketValue) * 10n ** BigInt(SCALE) - cost, SCALE * 2);
}

const when = (at: string) => new Date(at).toLocaleString();

/** The cash an account holds now (its portfolio's), read from its positions. */
function AccountCash({ accountId, currency }: { accountId: string; currency: string }) {
  const cash = useLoad(
    async () => unwrap(await api.GET('/v1/accounts/{accountId}/positions', { params: { path: { accountId } } })).cash,
    [accountId],
  );
  if (cash.error) return <span>unavailable</span>;
  return <Money amount={cash.data} currency={currency} />;
}

/** Orders and positions: the accounts, or one account's positions, orders and order form. */
export function Orders() {
  const { accountId } = useParams<{ accountId?: string }>();
  return (
    <section className="orders-page">
      <h1>Orders and positions</h1>
      {accountId ? <AccountDesk accountId={accountId} /> : <AccountsList />}
    </section>
  );
}

function AccountsList() {
  return (
    <>
      <Paged<AccountRow>
        caption="Trading accounts of this project"
        rowKey={(a) => a.accountId}
        empty="No account yet: open one below."
        load={async (cursor) =>
          unwrap(await api.GET('/v1/accounts', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }))
        }
        columns={[
          { header: 'Name', cell: (a) => <Link href={`/orders/${a.accountId}`}>{a.name}</Link> },
          { header: 'Venue', cell: (a) => a.venue },
          { header: 'Mode', cell: (a) => a.mode },
          { header: 'Currency', cell: (a) => a.currency },
          {
            header: 'Cash',
            numeric: true,
            cell: (a) => <AccountCash accountId={a.accountId} currency={a.currency} />,
          },
        ]}
      />
      <OpenAccount />
    </>
  );
}

function OpenAccount() {
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [venue, setVenue] = useState<Venue>('SIMULATION');
  const [initialBalance, setInitialBalance] = useState('10000');
  const [currency, setCurrency] = useState('USD');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // one key per filled-in form: a double click or a retry after a lost answer opens one account
  const [key, setKey] = useState(idempotencyKey);

  async function open(e: FormEvent) {
    e.preventDefault();
    // a LIVE account trades real money: the API wants confirm and a reason, the user a second thought
    if (venue === 'LIVE' && !window.confirm(`Open the LIVE account "${name}"? It trades real money.`)) return;
    setBusy(true);
    setError(undefined);
    try {
      const created = unwrap(
        await api.POST('/v1/accounts', {
          params: { header: { 'Idempotency-Key': key } },
          body: {
            name: name.trim(),
            venue,
            ...(venue === 'SIMULATION'
              ? { simulation: { initialBalance: initialBalance.trim(), currency: currency.trim().toUpperCase() } }
              : {}),
            ...(venue === 'LIVE' ? { confirm: true, reason: reason.trim() } : {}),
          },
        }),
      );
      setKey(idempotencyKey());
      navigate(`/orders/${created.accountId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h2>Open an account</h2>
      <form onSubmit={(e) => void open(e)} aria-label="Open an account">
        <label>
          Name
          <input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Venue
          <select value={venue} onChange={(e) => setVenue(e.target.value as Venue)}>
            <option value="SIMULATION">SIMULATION (simulated fills, no broker)</option>
            <option value="PAPER">PAPER (the broker's paper endpoint)</option>
            <option value="LIVE">LIVE (the broker, real money)</option>
          </select>
        </label>
        {venue === 'SIMULATION' ? (
          <>
            <label>
              Starting cash
              <input
                required
                inputMode="decimal"
                pattern="\d+(\.\d+)?"
                title="A decimal amount such as 10000 or 2500.50"
                value={initialBalance}
                onChange={(e) => setInitialBalance(e.target.value)}
              />
            </label>
            <label>
              Currency
              <input
                required
                pattern="[A-Za-z]{3}"
                title="An ISO 4217 code such as USD"
                value={currency}
                onChange={(e) => setCurrency(e.target.value)}
              />
            </label>
          </>
        ) : null}
        {venue === 'LIVE' ? (
          <label>
            Reason (recorded with the account)
            <input required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
        ) : null}
        <ProblemView error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Open account
          </button>
        </div>
        <p aria-live="polite" className="sr-only">
          {busy ? 'Opening the account…' : ''}
        </p>
      </form>
    </>
  );
}

function AccountDesk({ accountId }: { accountId: string }) {
  // one counter refreshes everything an action can change: positions, orders, cash, mode
  const [generation, setGeneration] = useState(0);
  const refresh = () => setGeneration((g) => g + 1);
  const account = useLoad(
    async () => unwrap(await api.GET('/v1/accounts/{accountId}', { params: { path: { accountId } } })),
    [accountId, generation],
  );
  const positions = useLoad(
    async () => unwrap(await api.GET('/v1/accounts/{accountId}/positions', { params: { path: { accountId } } })),
    [accountId, generation],
  );
  const a = account.data;
  if (account.error) {
    return (
      <>
        <ProblemView error={account.error} />
        <p>
          <Link href="/orders">All accounts</Link>
        </p>
      </>
    );
  }
  if (!a) return <p aria-busy="true">Loading the account…</p>;
  return (
    <>
      <p>
        <Link href="/orders">All accounts</Link>
      </p>
      <h2>{a.name}</h2>
      <div className="cards">
        <Figure label="Venue">{a.venue}</Figure>
        <Figure label="Trading mode">{a.mode}</Figure>
        <Figure label="Cash">
          <Money amount={positions.data?.cash} currency={a.currency} />
        </Figure>
      </div>
      {a.mode === 'GUIDE' ? (
        <p className="notice">
          This account is in GUIDE mode: orders are recorded and previewed, never sent. Switch it to AUTONOMOUS below to
          send them to the venue.
        </p>
      ) : null}
      <ModeControl account={a} onChanged={refresh} compact />

      <PositionsTable account={a} positions={positions.data} error={positions.error} />
      {a.venue === 'SIMULATION' ? <SetPrice account={a} onDone={refresh} /> : null}
      <PlaceOrder account={a} onDone={refresh} />
      <OrdersTable account={a} reloadKey={generation} onChanged={refresh} />
    </>
  );
}

function PositionsTable(props: { account: Account; positions?: Positions; error?: unknown }) {
  const currency = props.account.currency;
  const items = props.positions?.items ?? [];
  return (
    <>
      <ProblemView error={props.error} />
      <table>
        <caption>Positions</caption>
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Average price
            </th>
            <th scope="col" className="num">
              Last price
            </th>
            <th scope="col" className="num">
              Market value
            </th>
            <th scope="col" className="num">
              Unrealised P&amp;L
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.symbol}>
              <td>{p.symbol}</td>
              <td className="num">{formatDecimal(p.quantity, 8)}</td>
              <td className="num">
                <Money amount={p.averageCost} currency={currency} />
              </td>
              <td className="num">
                <Money amount={p.price} currency={currency} />
              </td>
              <td className="num">
                <Money amount={p.marketValue} currency={currency} />
              </td>
              <td className="num">
                <Money amount={unrealised(p)} currency={currency} />
              </td>
            </tr>
          ))}
          {props.positions && items.length === 0 ? (
            <tr>
              <td colSpan={6}>No position yet.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </>
  );
}

function SetPrice({ account, onDone }: { account: Account; onDone: () => void }) {
  const [symbol, setSymbol] = useState('');
  const [price, setPrice] = useState('');
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  async function post(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      const sym = symbol.trim().toUpperCase();
      const result = unwrap(
        await api.POST('/v1/accounts/{accountId}/prices', {
          params: { path: { accountId: account.accountId } },
          body: { prices: [{ symbol: sym, price: price.trim() }] },
        }),
      );
      const fills = result.fills.length;
      setStatus(
        `${sym} is now at ${formatMoney(price.trim(), account.currency)}; ` +
          `${fills === 1 ? '1 fill' : `${fills} fills`}; equity ${formatMoney(result.equity, account.currency)}; ` +
          `trading ${result.tradingState}.`,
      );
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h2>Set a price</h2>
      <p>A simulation account fills on the prices it is sent (else the market's latest).</p>
      <form className="inline" onSubmit={(e) => void post(e)} aria-label="Set a price">
        <label>
          Price symbol
          <input required maxLength={20} value={symbol} onChange={(e) => setSymbol(e.target.value)} />
        </label>
        <label>
          Price
          <input
            required
            inputMode="decimal"
            pattern="\d+(\.\d+)?"
            title="A decimal price such as 190.25"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          Set price
        </button>
      </form>
      <ProblemView error={error} />
      <p aria-live="polite" className={status ? 'notice' : 'sr-only'}>
        {status}
      </p>
    </>
  );
}

type Check = { id?: string; name?: string; detail?: string; passed?: boolean };
/** The checks a risk refusal carries (RISK_REJECTED's `checks`), the failed ones first. */
function failedChecks(error: unknown): Check[] {
  if (!(error instanceof ProblemError)) return [];
  const checks = (error.problem as { checks?: Check[] }).checks;
  return Array.isArray(checks) ? checks.filter((c) => c.passed === false) : [];
}

function PlaceOrder({ account, onDone }: { account: Account; onDone: () => void }) {
  const [symbol, setSymbol] = useState('');
  const [side, setSide] = useState<'buy' | 'sell'>('buy');
  const [quantity, setQuantity] = useState('');
  const [type, setType] = useState<'market' | 'limit'>('market');
  const [limitPrice, setLimitPrice] = useState('');
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(idempotencyKey);

  async function place(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      const order = unwrap(
        await api.POST('/v1/orders', {
          params: { header: { 'Idempotency-Key': key } },
          body: {
            accountId: account.accountId,
            symbol: symbol.trim().toUpperCase(),
            side,
            type,
            quantity: quantity.trim(),
            ...(type === 'limit' ? { limitPrice: limitPrice.trim() } : {}),
          },
        }),
      );
      setKey(idempotencyKey());
      setStatus(
        `Order ${order.orderId}: ${order.side} ${formatDecimal(order.quantity, 8)} ${order.symbol}, ${order.status}` +
          (order.averageFillPrice ? ` at ${formatMoney(order.averageFillPrice, account.currency)}.` : '.'),
      );
      onDone();
    } catch (err) {
      // a refusal is an answer: the next attempt is a new order, so it gets a new key
      setKey(idempotencyKey());
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const failed = failedChecks(error);
  return (
    <>
      <h2>Place an order</h2>
      <form className="inline" onSubmit={(e) => void place(e)} aria-label="Place an order">
        <label>
          Symbol
          <input required maxLength={20} value={symbol} onChange={(e) => setSymbol(e.target.value)} />
        </label>
        <label>
          Side
          <select value={side} onChange={(e) => setSide(e.target.value as 'buy' | 'sell')}>
            <option value="buy">Buy</option>
            <option value="sell">Sell</option>
          </select>
        </label>
        <label>
          Quantity
          <input
            required
            inputMode="decimal"
            pattern="\d+(\.\d+)?"
            title="A decimal quantity such as 5 or 0.25"
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
          />
        </label>
        <label>
          Order type
          <select value={type} onChange={(e) => setType(e.target.value as 'market' | 'limit')}>
            <option value="market">Market</option>
            <option value="limit">Limit</option>
          </select>
        </label>
        {type === 'limit' ? (
          <label>
            Limit price
            <input
              required
              inputMode="decimal"
              pattern="\d+(\.\d+)?"
              title="A decimal price such as 190.25"
              value={limitPrice}
              onChange={(e) => setLimitPrice(e.target.value)}
            />
          </label>
        ) : null}
        <button type="submit" disabled={busy}>
          Place order
        </button>
      </form>
      <ProblemView error={error} />
      {failed.length ? (
        <ul className="failed-checks" aria-label="Checks that failed">
          {failed.map((c) => (
            <li key={c.id ?? c.name}>
              <span className="badge breach">failed</span> {c.name}: {c.detail}
            </li>
          ))}
        </ul>
      ) : null}
      <p aria-live="polite" className={status ? 'notice' : 'sr-only'}>
        {status}
      </p>
    </>
  );
}

function OrdersTable(props: { account: Account; reloadKey: unknown; onChanged: () => void }) {
  const { account } = props;
  const [error, setError] = useState<unknown>();
  const [cancelling, setCancelling] = useState<string>();

  async function cancel(order: OrderRow) {
    setCancelling(order.orderId);
    setError(undefined);
    try {
      unwrap(
        await api.POST('/v1/orders/{orderId}/cancel', {
          params: { path: { orderId: order.orderId }, header: { 'Idempotency-Key': idempotencyKey() } },
          body: {},
        }),
      );
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setCancelling(undefined);
    }
  }

  return (
    <>
      <h2>Orders</h2>
      <ProblemView error={error} />
      <Paged<OrderRow>
        caption="Orders of this account, newest first"
        rowKey={(o) => o.orderId}
        reloadKey={`${account.accountId}:${String(props.reloadKey)}`}
        empty="No order yet."
        load={async (cursor) =>
          unwrap(
            await api.GET('/v1/orders', {
              params: { query: { accountId: account.accountId, limit: 20, ...(cursor ? { cursor } : {}) } },
            }),
          )
        }
        columns={[
          { header: 'Time', cell: (o) => when(o.createdAt) },
          { header: 'Symbol', cell: (o) => o.symbol },
          { header: 'Side', cell: (o) => o.side },
          { header: 'Type', cell: (o) => o.type },
          { header: 'Quantity', numeric: true, cell: (o) => formatDecimal(o.quantity, 8) },
          { header: 'Filled', numeric: true, cell: (o) => formatDecimal(o.filledQuantity, 8) },
          {
            header: 'Limit',
            numeric: true,
            cell: (o) => (o.limitPrice ? <Money amount={o.limitPrice} currency={account.currency} /> : '—'),
          },
          {
            header: 'Average fill',
            numeric: true,
            cell: (o) => (o.averageFillPrice ? <Money amount={o.averageFillPrice} currency={account.currency} /> : '—'),
          },
          {
            header: 'Status',
            cell: (o) => (
              <span className={`badge status-${o.status}`} title={o.reason}>
                {o.status}
              </span>
            ),
          },
          {
            header: 'Action',
            cell: (o) =>
              WORKING.has(o.status) ? (
                <button
                  type="button"
                  className="secondary"
                  disabled={cancelling === o.orderId}
                  onClick={() => void cancel(o)}
                  aria-label={`Cancel order ${o.orderId} (${o.side} ${o.symbol})`}
                >
                  Cancel
                </button>
              ) : null,
          },
        ]}
      />
    </>
  );
}
