import { type FormEvent, type ReactNode, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api, type Body, idempotencyKey, unwrap, useLoad } from '../api';
import { Money } from '../components/Money';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';
import { useAction } from '../components/useAction';
import './Watchlists.css';

type Watchlist = Body<'watchlists.get'>;
type Item = Body<'watchlists.items.list'>['items'][number];
type Notification = Body<'notifications.list'>['items'][number];
type Visibility = Watchlist['visibility'];

const when = (at: string) => new Date(at).toLocaleString();

// --- the list page -----------------------------------------------------------------------------

function CreateForm() {
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');
  const { busy, run, feedback } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('Creating…', async () => {
      const w = unwrap(
        await api.POST('/v1/watchlists', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: { name: name.trim(), visibility },
        }),
      );
      navigate(`/watchlists/${w.watchlistId}`);
      return `Created ${w.name}.`;
    });
  };
  return (
    <form className="inline" aria-label="New watchlist" onSubmit={submit}>
      <label>
        Name
        <input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Visibility
        <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          <option value="private">private (yours alone)</option>
          <option value="shared">shared (you may share it with members)</option>
        </select>
      </label>
      <button type="submit" disabled={busy}>
        Create the watchlist
      </button>
      {feedback}
    </form>
  );
}

function deliveries(n: Notification): string {
  return n.deliveries.map((d) => `${d.channel} ${d.status}${d.error ? ` (${d.error})` : ''}`).join(', ') || 'none';
}

function WatchlistList() {
  return (
    <>
      <h1>Watchlists</h1>
      <section aria-labelledby="lists">
        <h2 id="lists">Your watchlists and those shared with you</h2>
        <Paged<Watchlist>
          caption="Watchlists, newest first"
          rowKey={(w) => w.watchlistId}
          empty="No watchlists yet: create one below."
          load={async (cursor) =>
            unwrap(await api.GET('/v1/watchlists', { params: { query: { include: 'shared', cursor, limit: 25 } } }))
          }
          columns={[
            { header: 'Name', cell: (w) => <Link href={`/watchlists/${w.watchlistId}`}>{w.name}</Link> },
            { header: 'Your access', cell: (w) => <span className="badge">{w.access}</span> },
            { header: 'Owner', cell: (w) => w.ownerId },
            { header: 'Visibility', cell: (w) => w.visibility },
            { header: 'Updated', cell: (w) => when(w.updatedAt) },
          ]}
        />
      </section>
      <section aria-labelledby="create">
        <h2 id="create">New watchlist</h2>
        <CreateForm />
      </section>
      <section aria-labelledby="notifications">
        <h2 id="notifications">Your notifications</h2>
        <Paged<Notification>
          caption="Notifications sent to you, newest first"
          rowKey={(n) => n.notificationId}
          empty="No notifications yet."
          load={async (cursor) => unwrap(await api.GET('/v1/me/notifications', { params: { query: { cursor } } }))}
          columns={[
            { header: 'Time', cell: (n) => when(n.createdAt) },
            { header: 'Kind', cell: (n) => n.kind },
            {
              header: 'Message',
              cell: (n) => (
                <>
                  <strong>{n.subject}</strong>
                  <br />
                  {n.body}
                </>
              ),
            },
            { header: 'Delivery', cell: deliveries },
          ]}
        />
      </section>
    </>
  );
}

// --- one watchlist ------------------------------------------------------------------------------

function SettingsForm({ w, onSaved }: { w: Watchlist; onSaved: () => Promise<void> }) {
  const [name, setName] = useState(w.name);
  const [visibility, setVisibility] = useState<Visibility>(w.visibility);
  const { busy, run, feedback } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('Saving…', async () => {
      const saved = unwrap(
        await api.PATCH('/v1/watchlists/{watchlistId}', {
          params: { path: { watchlistId: w.watchlistId }, header: { 'If-Match': String(w.version) } },
          body: { name: name.trim(), visibility },
        }),
      );
      await onSaved();
      return `Saved: ${saved.name}, ${saved.visibility}.`;
    });
  };
  return (
    <form className="inline" aria-label="Watchlist settings" onSubmit={submit}>
      <label>
        Name
        <input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Visibility
        <select value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          <option value="private">private</option>
          <option value="shared">shared</option>
        </select>
      </label>
      <button type="submit" disabled={busy}>
        Save settings
      </button>
      {feedback}
    </form>
  );
}

function AddItemForm({ watchlistId, onAdded }: { watchlistId: string; onAdded: () => void }) {
  const empty = { symbol: '', note: '', alertAbove: '', alertBelow: '' };
  const [draft, setDraft] = useState(empty);
  const { busy, run, feedback } = useAction();
  const set =
    (k: keyof typeof empty) =>
    (e: { target: { value: string } }): void =>
      setDraft({ ...draft, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('Adding…', async () => {
      const item = unwrap(
        await api.POST('/v1/watchlists/{watchlistId}/items', {
          params: { path: { watchlistId }, header: { 'Idempotency-Key': idempotencyKey() } },
          body: {
            symbol: draft.symbol.trim().toUpperCase(),
            ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
            ...(draft.alertAbove.trim() ? { alertAbove: draft.alertAbove.trim() } : {}),
            ...(draft.alertBelow.trim() ? { alertBelow: draft.alertBelow.trim() } : {}),
          },
        }),
      );
      setDraft(empty);
      onAdded();
      return `Added ${item.symbol}.`;
    });
  };
  return (
    <form className="inline" aria-label="Add a symbol" onSubmit={submit}>
      <label>
        Symbol
        <input required value={draft.symbol} onChange={set('symbol')} size={10} />
      </label>
      <label>
        Note
        <input maxLength={500} value={draft.note} onChange={set('note')} />
      </label>
      <label>
        Alert above
        <input inputMode="decimal" value={draft.alertAbove} onChange={set('alertAbove')} size={8} />
      </label>
      <label>
        Alert below
        <input inputMode="decimal" value={draft.alertBelow} onChange={set('alertBelow')} size={8} />
      </label>
      <button type="submit" disabled={busy}>
        Add the symbol
      </button>
      {feedback}
    </form>
  );
}

function alertText(level: string | undefined, state: string | undefined, currency: string | undefined): ReactNode {
  if (!level) return '—';
  return (
    <>
      <Money amount={level} currency={currency} /> <span className="badge">{state ?? 'armed'}</span>
    </>
  );
}

function Items({ w }: { w: Watchlist }) {
  const [refresh, setRefresh] = useState(0);
  const [quoteProblem, setQuoteProblem] = useState<{ code: string; detail: string }>();
  const { busy, run, feedback } = useAction();
  const canEdit = w.access !== 'read';
  const remove = (item: Item) => {
    if (!window.confirm(`Remove ${item.symbol} from ${w.name}?`)) return;
    void run(`Removing ${item.symbol}…`, async () => {
      unwrap(
        await api.DELETE('/v1/watchlists/{watchlistId}/items/{symbol}', {
          params: {
            path: { watchlistId: w.watchlistId, symbol: item.symbol },
            header: { 'If-Match': String(item.version) },
          },
        }),
      );
      setRefresh((n) => n + 1);
      return `Removed ${item.symbol}.`;
    });
  };
  return (
    <section aria-labelledby="items">
      <h2 id="items">Symbols</h2>
      {quoteProblem ? (
        <p className="problem" role="status">
          Prices are unavailable: {quoteProblem.detail} ({quoteProblem.code})
        </p>
      ) : null}
      <Paged<Item>
        caption={`Symbols in ${w.name} with their latest price`}
        reloadKey={refresh}
        rowKey={(i) => i.symbol}
        empty="No symbols yet."
        load={async (cursor) => {
          const page = unwrap(
            await api.GET('/v1/watchlists/{watchlistId}/items', {
              params: { path: { watchlistId: w.watchlistId }, query: { cursor, limit: 50 } },
            }),
          );
          setQuoteProblem(page.quoteProblem);
          return page;
        }}
        columns={[
          { header: 'Symbol', cell: (i) => i.symbol },
          {
            header: 'Price',
            numeric: true,
            cell: (i) => (i.quote ? <Money amount={i.quote.price} currency={i.quote.currency} /> : 'no price'),
          },
          {
            header: 'As of',
            cell: (i) =>
              i.quote ? (
                <>
                  {when(i.quote.asOf)} {i.quote.stale ? <span className="badge">stale</span> : null}
                </>
              ) : (
                '—'
              ),
          },
          { header: 'Alert above', cell: (i) => alertText(i.alertAbove, i.aboveState, i.quote?.currency) },
          { header: 'Alert below', cell: (i) => alertText(i.alertBelow, i.belowState, i.quote?.currency) },
          { header: 'Note', cell: (i) => i.note ?? '' },
          ...(canEdit
            ? [
                {
                  header: 'Remove',
                  cell: (i: Item) => (
                    <button type="button" className="danger" disabled={busy} onClick={() => remove(i)}>
                      Remove {i.symbol}
                    </button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {feedback}
      {canEdit ? (
        <>
          <h3>Add a symbol</h3>
          <AddItemForm watchlistId={w.watchlistId} onAdded={() => setRefresh((n) => n + 1)} />
        </>
      ) : (
        <p>You have read access: the owner or an editor changes the symbols.</p>
      )}
    </section>
  );
}

/** Grants have no list route: the page lists the ones made or changed here, each withdrawable. */
function Shares({ w, onChanged }: { w: Watchlist; onChanged: () => Promise<void> }) {
  const [userId, setUserId] = useState('');
  const [access, setAccess] = useState<'read' | 'edit'>('read');
  const [granted, setGranted] = useState<Array<{ userId: string; access: 'read' | 'edit' }>>([]);
  const [withdrawId, setWithdrawId] = useState('');
  const { busy, run, feedback } = useAction();
  const share = (e: FormEvent) => {
    e.preventDefault();
    void run('Sharing…', async () => {
      const grant = unwrap(
        await api.PUT('/v1/watchlists/{watchlistId}/shares/{userId}', {
          params: { path: { watchlistId: w.watchlistId, userId: userId.trim() } },
          body: { access },
        }),
      );
      setGranted((g) => [...g.filter((x) => x.userId !== grant.userId), grant]);
      setUserId('');
      return `Shared with ${grant.userId} (${grant.access}).`;
    });
  };
  const withdraw = (target: string) => {
    if (!window.confirm(`Stop sharing ${w.name} with ${target}?`)) return;
    void run('Withdrawing…', async () => {
      unwrap(
        await api.DELETE('/v1/watchlists/{watchlistId}/shares/{userId}', {
          params: { path: { watchlistId: w.watchlistId, userId: target } },
        }),
      );
      setGranted((g) => g.filter((x) => x.userId !== target));
      setWithdrawId('');
      return `${target} no longer sees it.`;
    });
  };
  const allowSharing = () =>
    void run('Making it shareable…', async () => {
      unwrap(
        await api.PATCH('/v1/watchlists/{watchlistId}', {
          params: { path: { watchlistId: w.watchlistId }, header: { 'If-Match': String(w.version) } },
          body: { visibility: 'shared' },
        }),
      );
      await onChanged();
      return 'It may now be shared.';
    });
  return (
    <section aria-labelledby="shares">
      <h2 id="shares">Sharing</h2>
      {w.visibility === 'private' ? (
        <>
          <p>This watchlist is private: make it shared before granting anyone access.</p>
          <button type="button" disabled={busy} onClick={allowSharing}>
            Make it shared
          </button>
        </>
      ) : (
        <>
          <p>Only the members you grant access see it. Another member of your tenant may be given read or edit.</p>
          <form className="inline" aria-label="Share the watchlist" onSubmit={share}>
            <label>
              User id
              <input required value={userId} onChange={(e) => setUserId(e.target.value)} placeholder="u_…" />
            </label>
            <label>
              Access
              <select value={access} onChange={(e) => setAccess(e.target.value as 'read' | 'edit')}>
                <option value="read">read</option>
                <option value="edit">edit (change symbols)</option>
              </select>
            </label>
            <button type="submit" disabled={busy}>
              Share
            </button>
          </form>
          {granted.length ? (
            <table>
              <caption>Shares granted on this page</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Access</th>
                  <th scope="col">Withdraw</th>
                </tr>
              </thead>
              <tbody>
                {granted.map((g) => (
                  <tr key={g.userId}>
                    <td>{g.userId}</td>
                    <td>{g.access}</td>
                    <td>
                      <button type="button" className="danger" disabled={busy} onClick={() => withdraw(g.userId)}>
                        Stop sharing with {g.userId}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <form
            className="inline"
            aria-label="Withdraw a share"
            onSubmit={(e) => {
              e.preventDefault();
              withdraw(withdrawId.trim());
            }}
          >
            <label>
              Withdraw the share of user id
              <input required value={withdrawId} onChange={(e) => setWithdrawId(e.target.value)} />
            </label>
            <button type="submit" className="secondary" disabled={busy}>
              Withdraw
            </button>
          </form>
        </>
      )}
      {feedback}
    </section>
  );
}

function WatchlistPage({ watchlistId }: { watchlistId: string }) {
  const [, navigate] = useLocation();
  const wl = useLoad(
    async () => unwrap(await api.GET('/v1/watchlists/{watchlistId}', { params: { path: { watchlistId } } })),
    [watchlistId],
  );
  const { busy, run, feedback } = useAction();
  const w = wl.data;
  const remove = () => {
    if (!w || !window.confirm(`Delete ${w.name} with its symbols and every share?`)) return;
    void run('Deleting…', async () => {
      unwrap(
        await api.DELETE('/v1/watchlists/{watchlistId}', {
          params: { path: { watchlistId }, header: { 'If-Match': String(w.version) } },
        }),
      );
      navigate('/watchlists');
      return 'Deleted.';
    });
  };
  return (
    <>
      <p>
        <Link href="/watchlists">Back to the watchlists</Link>
      </p>
      <ProblemView error={wl.error} />
      {!w ? (
        wl.error ? (
          <h1>Watchlist</h1>
        ) : (
          <p aria-busy="true">Loading the watchlist…</p>
        )
      ) : (
        <>
          <h1>{w.name}</h1>
          <p>
            <span className="badge">{w.visibility}</span> Owner {w.ownerId}; your access: <strong>{w.access}</strong>
            {w.description ? ` — ${w.description}` : ''}
          </p>
          <Items w={w} />
          {w.access === 'owner' ? (
            <>
              <Shares w={w} onChanged={wl.reload} />
              <section aria-labelledby="settings">
                <h2 id="settings">Settings</h2>
                <SettingsForm key={w.version} w={w} onSaved={wl.reload} />
                <div className="actions danger-zone">
                  <button type="button" className="danger" disabled={busy} onClick={remove}>
                    Delete the watchlist
                  </button>
                </div>
                {feedback}
              </section>
            </>
          ) : (
            <p>Only its owner renames, shares or deletes this watchlist.</p>
          )}
        </>
      )}
    </>
  );
}

/** The user's watchlists (own and shared with them), one list's symbols and sharing, and notifications. */
export function Watchlists() {
  const { watchlistId } = useParams<{ watchlistId?: string }>();
  return (
    <div className="watchlists">{watchlistId ? <WatchlistPage watchlistId={watchlistId} /> : <WatchlistList />}</div>
  );
}
