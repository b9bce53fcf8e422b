import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { api, type Body, unwrap, useLoad } from '../api';
import { Figure } from '../components/Figures';
import { formatDecimal, Money } from '../components/Money';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';
import './Risk.css';

type AccountRow = Body<'accounts.list'>['items'][number];
type RiskState = Body<'risk.state'>;
type Decision = Body<'risk.decisions'>['items'][number];
type ModeChange = Body<'accounts.modeHistory'>['items'][number];
type TradingMode = Body<'accounts.getMode'>['mode'];

const when = (at: string | undefined) => (at ? new Date(at).toLocaleString() : '—');

/**
 * An account's trading mode and the control to change it (If-Match on the mode's version).
 * AUTONOMOUS on PAPER or LIVE sends real orders to the broker, so it is confirmed first; LIVE also needs
 * `confirm` and a reason, and a fresh login, whose challenge api.ts turns into the step-up prompt.
 */
export function ModeControl(props: {
  account: { accountId: string; venue: AccountRow['venue'] };
  onChanged?: () => void;
  /** on the orders page: no heading of its own */
  compact?: boolean;
}) {
  const { accountId, venue } = props.account;
  const [generation, setGeneration] = useState(0);
  const current = useLoad(
    async () => unwrap(await api.GET('/v1/accounts/{accountId}/mode', { params: { path: { accountId } } })),
    [accountId, generation],
  );
  const [target, setTarget] = useState<TradingMode>('AUTONOMOUS');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const mode = current.data?.mode;
  // offer the other mode by default: the change someone came here to make
  useEffect(() => {
    if (mode) setTarget(mode === 'GUIDE' ? 'AUTONOMOUS' : 'GUIDE');
  }, [mode]);

  async function change(e: FormEvent) {
    e.preventDefault();
    if (!current.data) return;
    const real = target === 'AUTONOMOUS' && venue !== 'SIMULATION';
    if (real && !window.confirm(`Switch this ${venue} account to AUTONOMOUS? Its orders will go to the broker.`)) {
      return;
    }
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      const after = unwrap(
        await api.PUT('/v1/accounts/{accountId}/mode', {
          params: { path: { accountId }, header: { 'If-Match': String(current.data.version) } },
          body: {
            mode: target,
            ...(reason.trim() ? { reason: reason.trim() } : {}),
            ...(real && venue === 'LIVE' ? { confirm: true } : {}),
          },
        }),
      );
      setStatus(`The account is now in ${after.mode} mode.`);
      setReason('');
      setGeneration((g) => g + 1);
      props.onChanged?.();
    } catch (err) {
      setError(err);
      // a 412 means someone changed it meanwhile: show what it is now
      setGeneration((g) => g + 1);
    } finally {
      setBusy(false);
    }
  }

  const Heading = props.compact ? 'h3' : 'h2';
  return (
    <div className="mode-control">
      <Heading>Trading mode</Heading>
      <ProblemView error={current.error} />
      <p>
        Now: <strong>{mode ?? '…'}</strong>{' '}
        {mode === 'GUIDE' ? '(orders are recorded and previewed, never sent)' : null}
        {mode === 'AUTONOMOUS' ? '(orders are sent to the venue)' : null}
      </p>
      <form className="inline" onSubmit={(e) => void change(e)} aria-label="Change the trading mode">
        <label>
          New trading mode
          <select value={target} onChange={(e) => setTarget(e.target.value as TradingMode)}>
            <option value="GUIDE">GUIDE — record and preview</option>
            <option value="AUTONOMOUS">AUTONOMOUS — send orders</option>
          </select>
        </label>
        <label>
          Reason for the change{venue === 'LIVE' && target === 'AUTONOMOUS' ? '' : ' (optional)'}
          <input
            required={venue === 'LIVE' && target === 'AUTONOMOUS'}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || !current.data || target === mode}>
          Change mode
        </button>
      </form>
      <ProblemView error={error} />
      <p aria-live="polite" className={status ? 'notice' : 'sr-only'}>
        {status}
      </p>
    </div>
  );
}

/** Risk and trading mode: one account's risk state, the limits, halts and resets, decisions and mode. */
export function Risk() {
  const accounts = useLoad(
    async () => unwrap(await api.GET('/v1/accounts', { params: { query: { limit: 100 } } })).items,
    [],
  );
  const me = useLoad(async () => unwrap(await api.GET('/v1/me')), []);
  const [accountId, setAccountId] = useState('');
  const pickerId = useId();
  useEffect(() => {
    const first = accounts.data?.[0];
    if (!accountId && first) setAccountId(first.accountId);
  }, [accounts.data]);
  const account = accounts.data?.find((a) => a.accountId === accountId);
  const isAdmin = me.data?.roles.includes('admin') ?? false;

  return (
    <section className="risk-page">
      <h1>Risk and trading mode</h1>
      <ProblemView error={accounts.error} />
      {accounts.data && accounts.data.length === 0 ? (
        <p>
          No trading account yet: <Link href="/orders">open one on Orders and positions</Link>.
        </p>
      ) : null}
      {/* label and select side by side, not nested: the select's name is "Account", not its option too */}
      <div className="account-picker">
        <label htmlFor={pickerId}>Account</label>
        <select id={pickerId} value={accountId} onChange={(e) => setAccountId(e.target.value)}>
          {accounts.data ? null : <option value="">Loading accounts…</option>}
          {(accounts.data ?? []).map((a) => (
            <option key={a.accountId} value={a.accountId}>
              {a.name} ({a.venue}, {a.accountId})
            </option>
          ))}
        </select>
      </div>
      {account ? <AccountRisk key={account.accountId} account={account} isAdmin={isAdmin} /> : null}
      <Limits />
    </section>
  );
}

function AccountRisk({ account, isAdmin }: { account: AccountRow; isAdmin: boolean }) {
  const { accountId, currency } = account;
  const [generation, setGeneration] = useState(0);
  const refresh = () => setGeneration((g) => g + 1);
  const state = useLoad(
    async () => unwrap(await api.GET('/v1/risk/state', { params: { query: { accountId } } })),
    [accountId, generation],
  );
  return (
    <>
      <h2>Risk state</h2>
      <ProblemView error={state.error} />
      {state.data ? <StateView state={state.data} currency={currency} /> : <p aria-busy="true">Loading…</p>}
      <p>
        <Link href={`/orders/${accountId}`}>Orders and positions of this account</Link>
      </p>
      <Halt accountId={accountId} onDone={refresh} />
      {isAdmin ? <EmergencyReset accountId={accountId} state={state.data} onDone={refresh} /> : null}
      <ModeControl account={account} onChanged={refresh} />
      <Paged<ModeChange>
        caption="Mode changes"
        rowKey={(c) => c.changeId}
        reloadKey={`${accountId}:${generation}`}
        empty="The mode has not changed since the account was opened (GUIDE)."
        load={async (cursor) =>
          unwrap(
            await api.GET('/v1/accounts/{accountId}/mode/history', {
              params: { path: { accountId }, query: { limit: 10, ...(cursor ? { cursor } : {}) } },
            }),
          )
        }
        columns={[
          { header: 'When', cell: (c) => when(c.at) },
          { header: 'From', cell: (c) => c.from },
          { header: 'To', cell: (c) => c.to },
          { header: 'By', cell: (c) => c.by },
          { header: 'Reason', cell: (c) => c.reason ?? '—' },
        ]}
      />
      <h2>Recent risk decisions</h2>
      <Paged<Decision>
        caption="Risk decisions for this account, newest first"
        rowKey={(d) => d.decisionId}
        reloadKey={`${accountId}:${generation}`}
        empty="No decision yet: the gate decides on every order."
        load={async (cursor) =>
          unwrap(
            await api.GET('/v1/risk/decisions', {
              params: { query: { accountId, limit: 10, ...(cursor ? { cursor } : {}) } },
            }),
          )
        }
        columns={[
          { header: 'When', cell: (d) => when(d.at) },
          {
            header: 'Outcome',
            cell: (d) => (
              <span className={d.approved ? 'badge' : 'badge breach'}>{d.approved ? 'passed' : 'refused'}</span>
            ),
          },
          { header: 'Intent', cell: (d) => d.intent + (d.dryRun ? ' (dry run)' : '') },
          {
            header: 'First failure',
            cell: (d) => {
              if (!d.firstFailure) return '—';
              const check = d.checks.find((c) => c.id === d.firstFailure);
              return check ? `${check.name}: ${check.detail}` : d.firstFailure;
            },
          },
          { header: 'Order', cell: (d) => d.orderId ?? '—' },
          { header: 'By', cell: (d) => d.by },
        ]}
      />
    </>
  );
}

function StateView({ state, currency }: { state: RiskState; currency: string }) {
  const halted = state.tradingState === 'HALTED';
  const shutdown = state.emergencyShutdown;
  return (
    <>
      <p className={halted ? 'trading-state halted' : 'trading-state'} aria-live="polite">
        Trading state:{' '}
        <span className={halted ? 'badge halted' : 'badge'}>
          {state.tradingState}
          {halted ? ' — trading is halted' : ''}
          {state.tradingState === 'REDUCING' ? ' — only orders that shrink a position pass' : ''}
        </span>
      </p>
      {shutdown.active ? (
        <p className="halt-reason">
          Halt reason: <strong>{shutdown.reason ?? 'not given'}</strong> (since {when(shutdown.triggeredAt)})
        </p>
      ) : shutdown.resetAt ? (
        <p>
          Last reset {when(shutdown.resetAt)} by {shutdown.resetBy}: {shutdown.resetReason}
        </p>
      ) : null}
      <div className="cards">
        <Figure label="Balance">
          <Money amount={state.balance} currency={currency} />
        </Figure>
        <Figure label="Equity">
          <Money amount={state.equity} currency={currency} />
        </Figure>
        <Figure label="Peak equity">
          <Money amount={state.peakEquity} currency={currency} />
        </Figure>
        <Figure label="Drawdown">{formatDecimal(state.drawdownPct, 2)}%</Figure>
        <Figure label="Daily P&L">
          <Money amount={state.dailyPnl} currency={currency} />
        </Figure>
        <Figure label="Exposure">
          <Money amount={state.exposure} currency={currency} />
        </Figure>
        <Figure label="Open positions">{state.openPositions}</Figure>
        <Figure label="Trades today">{state.tradesToday}</Figure>
        <Figure label="Trades this hour">{state.tradesThisHour}</Figure>
        <Figure label="Working orders">{state.pendingOrders}</Figure>
      </div>
      <p className="figure-label">
        Trading day since {when(state.dayStart)}; state as of {when(state.updatedAt)}.
      </p>
      {state.strategies.length ? (
        <table>
          <caption>Strategies on this account</caption>
          <thead>
            <tr>
              <th scope="col">Strategy</th>
              <th scope="col">Enabled</th>
              <th scope="col" className="num">
                Wins
              </th>
              <th scope="col" className="num">
                Losses
              </th>
              <th scope="col" className="num">
                Losses in a row
              </th>
              <th scope="col" className="num">
                Realised P&amp;L
              </th>
              <th scope="col" className="num">
                Budget used
              </th>
            </tr>
          </thead>
          <tbody>
            {state.strategies.map((s) => (
              <tr key={s.strategy}>
                <td>{s.strategy}</td>
                <td>{s.enabled ? 'yes' : `no${s.disabledReason ? ` (${s.disabledReason})` : ''}`}</td>
                <td className="num">{s.wins}</td>
                <td className="num">{s.losses}</td>
                <td className="num">{s.consecutiveLosses}</td>
                <td className="num">
                  <Money amount={s.realisedPnl} currency={currency} />
                </td>
                <td className="num">
                  <Money amount={s.used} currency={currency} />
                  {s.budget !== null ? (
                    <>
                      {' of '}
                      <Money amount={s.budget} currency={currency} />
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function Halt({ accountId, onDone }: { accountId: string; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [reduceOnly, setReduceOnly] = useState(false);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  async function halt(e: FormEvent) {
    e.preventDefault();
    const what = reduceOnly ? 'Allow only orders that reduce positions on' : 'Halt all trading on';
    if (!window.confirm(`${what} this account? Only an admin can reset a halt.`)) return;
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      const result = unwrap(
        await api.POST('/v1/risk/halt', {
          body: { accountId, reason: reason.trim(), ...(reduceOnly ? { reduceOnly } : {}) },
        }),
      );
      setStatus(result.halted.map((h) => `${h.accountId} is now ${h.tradingState}.`).join(' '));
      setReason('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h2>Halt trading</h2>
      <form onSubmit={(e) => void halt(e)} aria-label="Halt trading">
        <label>
          Reason for the halt
          <input required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={reduceOnly} onChange={(e) => setReduceOnly(e.target.checked)} />
          Reduce only (let orders that shrink a position through)
        </label>
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            Halt trading
          </button>
        </div>
      </form>
      <ProblemView error={error} />
      <p aria-live="polite" className={status ? 'notice' : 'sr-only'}>
        {status}
      </p>
    </>
  );
}

function EmergencyReset(props: { accountId: string; state?: RiskState; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [rebasePeak, setRebasePeak] = useState(true);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  async function reset(e: FormEvent) {
    e.preventDefault();
    if (!window.confirm('Reset the circuit breaker of this account? Trading resumes at once.')) return;
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      // a login older than 5 minutes gets the RFC 9470 challenge: api.ts asks to sign in again and retries
      const after = unwrap(
        await api.POST('/v1/risk/emergency/reset', {
          body: { accountId: props.accountId, reason: reason.trim(), rebasePeak },
        }),
      );
      setStatus(`The breaker is reset: trading is ${after.tradingState}.`);
      setReason('');
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const halted = props.state && props.state.tradingState !== 'ACTIVE';
  return (
    <>
      <h2>Emergency reset</h2>
      <p>
        Admins only; it needs a recent sign-in.{' '}
        {props.state ? (halted ? 'The account is halted now.' : 'The account is not halted now.') : null}
      </p>
      <form onSubmit={(e) => void reset(e)} aria-label="Emergency reset">
        <label>
          Reason for the reset
          <input required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={rebasePeak} onChange={(e) => setRebasePeak(e.target.checked)} />
          Measure drawdown from now on (rebase the peak)
        </label>
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            Emergency reset
          </button>
        </div>
      </form>
      <ProblemView error={error} />
      <p aria-live="polite" className={status ? 'notice' : 'sr-only'}>
        {status}
      </p>
    </>
  );
}

function Limits() {
  const limits = useLoad(async () => unwrap(await api.GET('/v1/risk/limits')), []);
  const rows: Array<[string, string]> = limits.data
    ? Object.entries(limits.data.limits).map(([name, value]) => [name, String(value)])
    : [];
  return (
    <>
      <h2>Hard limits</h2>
      <ProblemView error={limits.error} />
      <table>
        <caption>The risk gate's hard limits (a tenant's settings may only tighten them)</caption>
        <thead>
          <tr>
            <th scope="col">Limit</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col">What it means</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, value]) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
              </td>
              <td className="num">{value}</td>
              <td>{limits.data?.notes[name] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
