import { type FormEvent, type ReactNode, useState } from 'react';
import { Link, useParams } from 'wouter';
import { api, type Body, idempotencyKey, unwrap, useLoad } from '../api';
import { Figure } from '../components/Figures';
import { formatDecimal, Money } from '../components/Money';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';
import { useAction } from '../components/useAction';
import './Journal.css';

type Entry = Body<'journal.entries'>['items'][number];
type Note = Extract<Entry, { kind: 'note' }>;
type NoteType = Note['type'];
type Stats = Body<'journal.stats'>['overall'];
type TradeLog = Body<'journal.tradeLogs.get'>;
type TradeLogRow = Body<'journal.tradeLogs.list'>['items'][number];

const NOTE_TYPES: NoteType[] = ['observation', 'pre-trade', 'post-trade', 'lesson', 'plan'];

const when = (at: string) => new Date(at).toLocaleString();

/** "earnings, Risk-Off ," → ["earnings", "risk-off"]: tags are lowercase slugs in the API. */
function parseTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

function fillSummary(e: Extract<Entry, { kind: 'fill' }>): ReactNode {
  return (
    <>
      {e.side} {formatDecimal(e.quantity)} {e.symbol} at <Money amount={e.price} />
    </>
  );
}

// --- the list page -----------------------------------------------------------------------------

interface Filters {
  q: string;
  tag: string;
  symbol: string;
  from: string;
  to: string;
  kind: '' | 'fill' | 'note';
}
const NO_FILTERS: Filters = { q: '', tag: '', symbol: '', from: '', to: '', kind: '' };

/** A date input's day as the API's instant: `from` at its midnight (UTC), `to` at the next one. */
function dayStart(day: string, plusDays = 0): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString();
}

function entryQuery(f: Filters) {
  return {
    ...(f.q.trim() ? { q: f.q.trim() } : {}),
    ...(f.tag.trim() ? { tag: f.tag.trim().toLowerCase() } : {}),
    ...(f.symbol.trim() ? { symbol: f.symbol.trim().toUpperCase() } : {}),
    ...(f.from ? { from: dayStart(f.from) } : {}),
    ...(f.to ? { to: dayStart(f.to, 1) } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
  };
}

function SearchForm({ onSearch }: { onSearch: (f: Filters) => void }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(draft);
  };
  return (
    <form className="inline" aria-label="Search the journal" onSubmit={submit}>
      <label>
        Text
        <input value={draft.q} onChange={set('q')} placeholder="in title, content or tags" />
      </label>
      <label>
        Tag
        <input value={draft.tag} onChange={set('tag')} />
      </label>
      <label>
        Symbol
        <input value={draft.symbol} onChange={set('symbol')} size={8} />
      </label>
      <label>
        From
        <input type="date" value={draft.from} onChange={set('from')} />
      </label>
      <label>
        To (inclusive)
        <input type="date" value={draft.to} onChange={set('to')} />
      </label>
      <label>
        Kind
        <select value={draft.kind} onChange={set('kind')}>
          <option value="">Notes and fills</option>
          <option value="note">Notes</option>
          <option value="fill">Fills</option>
        </select>
      </label>
      <div className="actions">
        <button type="submit">Search</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft(NO_FILTERS);
            onSearch(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

interface NoteDraft {
  title: string;
  content: string;
  type: NoteType;
  symbol: string;
  confidence: string;
  tags: string;
}

/** The fields of a note; a correction uses the same form with `corrects` set. */
function NoteForm(props: {
  label: string;
  submitText: string;
  initial?: Partial<NoteDraft>;
  corrects?: string;
  onSaved: (note: Body<'journal.entries.create', 201>) => void;
}) {
  const empty: NoteDraft = { title: '', content: '', type: 'observation', symbol: '', confidence: '', tags: '' };
  const [draft, setDraft] = useState<NoteDraft>({ ...empty, ...props.initial });
  const { busy, run, feedback } = useAction();
  const set =
    (k: keyof NoteDraft) =>
    (e: { target: { value: string } }): void =>
      setDraft({ ...draft, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('Saving the note…', async () => {
      const tags = parseTags(draft.tags);
      const note = unwrap(
        await api.POST('/v1/journal/entries', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: {
            title: draft.title,
            content: draft.content,
            type: draft.type,
            ...(draft.symbol.trim() ? { symbol: draft.symbol.trim().toUpperCase() } : {}),
            ...(draft.confidence ? { confidence: Number(draft.confidence) } : {}),
            ...(tags.length ? { tags } : {}),
            ...(props.corrects ? { corrects: props.corrects } : {}),
          },
        }),
      );
      setDraft({ ...empty, ...props.initial });
      props.onSaved(note);
      return `Saved “${note.title}”.`;
    });
  };
  return (
    <form aria-label={props.label} onSubmit={submit}>
      <label>
        Title
        <input required maxLength={200} value={draft.title} onChange={set('title')} />
      </label>
      <label>
        Content
        <textarea required rows={4} value={draft.content} onChange={set('content')} />
      </label>
      <label>
        Type
        <select value={draft.type} onChange={set('type')}>
          {NOTE_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        Symbol (optional)
        <input value={draft.symbol} onChange={set('symbol')} size={10} />
      </label>
      <label>
        Confidence (1–5, optional)
        <select value={draft.confidence} onChange={set('confidence')}>
          <option value="">Not rated</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label>
        Tags (comma-separated)
        <input value={draft.tags} onChange={set('tags')} placeholder="earnings, risk-off" />
      </label>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {props.submitText}
        </button>
      </div>
      {feedback}
    </form>
  );
}

const finite = (n: number | null) => (n !== null && Number.isFinite(n) ? n : undefined);

function StatsFigures() {
  const stats = useLoad(async () => unwrap(await api.GET('/v1/journal/stats')).overall, []);
  const s: Stats | undefined = stats.data;
  // with no closed trade there is no rate to speak of, whatever the figure says
  const rate = s && s.trades > 0 ? finite(s.winRate) : undefined;
  const pf = s ? finite(s.profitFactor) : undefined;
  return (
    <section aria-labelledby="journal-stats">
      <h2 id="journal-stats">Closed trades</h2>
      <ProblemView error={stats.error} />
      {stats.loading && !s ? <p aria-busy="true">Loading the statistics…</p> : null}
      {s ? (
        <div className="cards">
          <Figure label="Trades">{s.trades}</Figure>
          <Figure label="Win rate">
            {rate === undefined ? '—' : `${formatDecimal(String(rate * 100), 1)} %`} ({s.wins} won, {s.losses} lost)
          </Figure>
          <Figure label="Profit factor">{pf === undefined ? '—' : formatDecimal(String(pf), 2)}</Figure>
          <Figure label="Net P&L">
            <Money amount={s.netPnl} />
          </Figure>
          <Figure label="Expectancy per trade">
            <Money amount={s.expectancy} />
          </Figure>
          <Figure label="Current streak">
            {s.currentStreak.length} {s.currentStreak.kind}
          </Figure>
        </div>
      ) : null}
    </section>
  );
}

// --- trade logs ------------------------------------------------------------------------------

interface LogDraft {
  symbol: string;
  type: 'long' | 'short';
  entryPrice: string;
  entryDate: string;
  quantity: string;
  target: string;
  stop: string;
}
const today = () => new Date().toISOString().slice(0, 10);

function TradeLogForm({ onSaved }: { onSaved: (log: TradeLog) => void }) {
  const empty = (): LogDraft => ({
    symbol: '',
    type: 'long',
    entryPrice: '',
    entryDate: today(),
    quantity: '',
    target: '',
    stop: '',
  });
  const [draft, setDraft] = useState<LogDraft>(empty);
  const { busy, run, feedback } = useAction();
  const set =
    (k: keyof LogDraft) =>
    (e: { target: { value: string } }): void =>
      setDraft({ ...draft, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('Saving the trade log…', async () => {
      const log = unwrap(
        await api.POST('/v1/journal/trade-logs', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: {
            symbol: draft.symbol.trim().toUpperCase(),
            type: draft.type,
            entryPrice: draft.entryPrice.trim(),
            entryDate: draft.entryDate,
            quantity: draft.quantity.trim(),
            ...(draft.target.trim() ? { target: draft.target.trim() } : {}),
            ...(draft.stop.trim() ? { stop: draft.stop.trim() } : {}),
          },
        }),
      );
      setDraft(empty());
      onSaved(log);
      const rr = log.riskReward ?? 'not known (needs a target and a stop)';
      return `Logged ${log.type} ${log.symbol}; risk-reward ${rr}.`;
    });
  };
  return (
    <form className="inline" aria-label="New trade log" onSubmit={submit}>
      <label>
        Symbol
        <input required value={draft.symbol} onChange={set('symbol')} size={8} />
      </label>
      <label>
        Side
        <select value={draft.type} onChange={set('type')}>
          <option value="long">long</option>
          <option value="short">short</option>
        </select>
      </label>
      <label>
        Entry price
        <input required inputMode="decimal" value={draft.entryPrice} onChange={set('entryPrice')} size={8} />
      </label>
      <label>
        Entry date
        <input required type="date" value={draft.entryDate} onChange={set('entryDate')} />
      </label>
      <label>
        Quantity
        <input required inputMode="decimal" value={draft.quantity} onChange={set('quantity')} size={6} />
      </label>
      <label>
        Target
        <input inputMode="decimal" value={draft.target} onChange={set('target')} size={8} />
      </label>
      <label>
        Stop
        <input inputMode="decimal" value={draft.stop} onChange={set('stop')} size={8} />
      </label>
      <button type="submit" disabled={busy}>
        Log the trade
      </button>
      <div className="form-feedback">{feedback}</div>
    </form>
  );
}

/** One trade log with its events, and the form that adjusts or closes it. */
function TradeLogDetail({ tradeLogId, onChanged }: { tradeLogId: string; onChanged: () => void }) {
  const log = useLoad(
    async () => unwrap(await api.GET('/v1/journal/trade-logs/{tradeLogId}', { params: { path: { tradeLogId } } })),
    [tradeLogId],
  );
  const [kind, setKind] = useState<'adjust' | 'close'>('adjust');
  const [fields, setFields] = useState({ target: '', stop: '', exitPrice: '', exitDate: today(), note: '' });
  const { busy, run, feedback } = useAction();
  const set =
    (k: keyof typeof fields) =>
    (e: { target: { value: string } }): void =>
      setFields({ ...fields, [k]: e.target.value });
  const l = log.data;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run('Recording…', async () => {
      const body =
        kind === 'close'
          ? {
              type: 'close' as const,
              exitPrice: fields.exitPrice.trim(),
              exitDate: fields.exitDate,
              ...(fields.note.trim() ? { note: fields.note.trim() } : {}),
            }
          : {
              type: 'adjust' as const,
              ...(fields.target.trim() ? { target: fields.target.trim() } : {}),
              ...(fields.stop.trim() ? { stop: fields.stop.trim() } : {}),
              note: fields.note.trim(),
            };
      const after = unwrap(
        await api.POST('/v1/journal/trade-logs/{tradeLogId}/events', {
          params: { path: { tradeLogId }, header: { 'Idempotency-Key': idempotencyKey() } },
          body,
        }),
      );
      await log.reload();
      onChanged();
      return kind === 'close' ? `Closed; realised ${after.realisedPnl ?? '—'}.` : 'Adjusted.';
    });
  };
  if (log.error) return <ProblemView error={log.error} />;
  if (!l) return <p aria-busy="true">Loading the trade log…</p>;
  const currency = l.quote?.currency ?? 'USD';
  return (
    <section aria-labelledby="trade-log-detail" className="card">
      <h3 id="trade-log-detail">
        {l.type} {l.symbol} since {l.entryDate} <span className="badge">{l.status}</span>
      </h3>
      <p>
        {formatDecimal(l.quantity)} at <Money amount={l.entryPrice} currency={currency} />;{' '}
        <span>
          target <Money amount={l.target} currency={currency} />,
        </span>{' '}
        <span>
          stop <Money amount={l.stop} currency={currency} />,
        </span>{' '}
        risk-reward {l.riskReward ?? '—'}.{' '}
        {l.status === 'closed' ? (
          <>
            Realised <Money amount={l.realisedPnl} currency={currency} />.
          </>
        ) : l.quote ? (
          <>
            Now <Money amount={l.quote.price} currency={currency} /> (as of {when(l.quote.asOf)}), unrealised{' '}
            <Money amount={l.unrealisedPnl} currency={currency} />.
          </>
        ) : null}
      </p>
      {l.events.length ? (
        <table>
          <caption>Events</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {l.events.map((ev) => (
              <tr key={ev.seq}>
                <td>{when(ev.at)}</td>
                <td>
                  {ev.type === 'close'
                    ? `closed at ${ev.exitPrice ?? '—'}`
                    : `adjusted${ev.target ? ` target ${ev.target}` : ''}${ev.stop ? ` stop ${ev.stop}` : ''}`}
                </td>
                <td>{ev.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {l.status === 'open' ? (
        <form className="inline" aria-label="Record a trade log event" onSubmit={submit}>
          <label>
            Event
            <select value={kind} onChange={(e) => setKind(e.target.value as 'adjust' | 'close')}>
              <option value="adjust">Adjust target or stop</option>
              <option value="close">Close</option>
            </select>
          </label>
          {kind === 'adjust' ? (
            <>
              <label>
                New target
                <input inputMode="decimal" value={fields.target} onChange={set('target')} size={8} />
              </label>
              <label>
                New stop
                <input inputMode="decimal" value={fields.stop} onChange={set('stop')} size={8} />
              </label>
            </>
          ) : (
            <>
              <label>
                Exit price
                <input required inputMode="decimal" value={fields.exitPrice} onChange={set('exitPrice')} size={8} />
              </label>
              <label>
                Exit date
                <input required type="date" value={fields.exitDate} onChange={set('exitDate')} />
              </label>
            </>
          )}
          <label>
            Note
            <input required={kind === 'adjust'} value={fields.note} onChange={set('note')} />
          </label>
          <button type="submit" disabled={busy}>
            Record
          </button>
          <div className="form-feedback">{feedback}</div>
        </form>
      ) : null}
    </section>
  );
}

function TradeLogs() {
  const [refresh, setRefresh] = useState(0);
  const [open, setOpen] = useState<string>();
  return (
    <section aria-labelledby="trade-logs">
      <h2 id="trade-logs">Trade logs</h2>
      <Paged<TradeLogRow>
        caption="Trade logs, newest first"
        reloadKey={refresh}
        rowKey={(l) => l.tradeLogId}
        empty="No trade logs yet."
        load={async (cursor) =>
          unwrap(await api.GET('/v1/journal/trade-logs', { params: { query: { cursor, limit: 20 } } }))
        }
        columns={[
          { header: 'Symbol', cell: (l) => l.symbol },
          { header: 'Side', cell: (l) => l.type },
          { header: 'Entry', cell: (l) => <Money amount={l.entryPrice} />, numeric: true },
          { header: 'Quantity', cell: (l) => formatDecimal(l.quantity), numeric: true },
          { header: 'Target', cell: (l) => <Money amount={l.target} />, numeric: true },
          { header: 'Stop', cell: (l) => <Money amount={l.stop} />, numeric: true },
          { header: 'Risk-reward', cell: (l) => l.riskReward ?? '—', numeric: true },
          { header: 'Status', cell: (l) => l.status },
          {
            header: 'Details',
            cell: (l) => (
              <button
                type="button"
                className="secondary"
                aria-expanded={open === l.tradeLogId}
                onClick={() => setOpen(open === l.tradeLogId ? undefined : l.tradeLogId)}
              >
                {open === l.tradeLogId ? 'Hide' : 'Show'} {l.symbol} {l.entryDate}
              </button>
            ),
          },
        ]}
      />
      {open ? <TradeLogDetail tradeLogId={open} onChanged={() => setRefresh((n) => n + 1)} /> : null}
      <h3>New trade log</h3>
      <TradeLogForm onSaved={() => setRefresh((n) => n + 1)} />
    </section>
  );
}

function JournalList() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [refresh, setRefresh] = useState(0);
  const query = entryQuery(filters);
  return (
    <>
      <h1>Journal</h1>
      <StatsFigures />
      <section aria-labelledby="journal-entries">
        <h2 id="journal-entries">Entries</h2>
        <SearchForm onSearch={setFilters} />
        {/* a new search starts again from its first page */}
        <Paged<Entry>
          key={JSON.stringify(query)}
          caption="Journal entries, newest first"
          reloadKey={refresh}
          rowKey={(e) => e.entryId}
          empty="No entry matches."
          load={async (cursor) =>
            unwrap(await api.GET('/v1/journal/entries', { params: { query: { ...query, cursor, limit: 25 } } }))
          }
          columns={[
            { header: 'Time', cell: (e) => when(e.at) },
            { header: 'Kind', cell: (e) => e.kind },
            {
              header: 'Entry',
              cell: (e) => <Link href={`/journal/${e.entryId}`}>{e.kind === 'note' ? e.title : fillSummary(e)}</Link>,
            },
            { header: 'Symbol', cell: (e) => e.symbol ?? '' },
            {
              header: 'Tags',
              cell: (e) =>
                e.kind === 'note' ? (
                  <span className="tags">
                    {e.tags.map((t) => (
                      <span className="badge" key={t}>
                        {t}
                      </span>
                    ))}
                    {e.corrects ? <span className="badge">correction</span> : null}
                  </span>
                ) : (
                  (e.strategy ?? '')
                ),
            },
          ]}
        />
      </section>
      <section aria-labelledby="new-note">
        <h2 id="new-note">New note</h2>
        <NoteForm label="New note" submitText="Save the note" onSaved={() => setRefresh((n) => n + 1)} />
      </section>
      <TradeLogs />
    </>
  );
}

// --- one entry -----------------------------------------------------------------------------------

function NoteBody({ note }: { note: Note }) {
  return (
    <dl className="entry-facts">
      <dt>Written</dt>
      <dd>{when(note.at)}</dd>
      <dt>Type</dt>
      <dd>{note.type}</dd>
      {note.symbol ? (
        <>
          <dt>Symbol</dt>
          <dd>{note.symbol}</dd>
        </>
      ) : null}
      {note.confidence ? (
        <>
          <dt>Confidence</dt>
          <dd>{note.confidence} of 5</dd>
        </>
      ) : null}
      <dt>Tags</dt>
      <dd>{note.tags.length ? note.tags.join(', ') : 'none'}</dd>
      <dt>Content</dt>
      <dd className="entry-content">{note.content}</dd>
    </dl>
  );
}

function EntryPage({ entryId }: { entryId: string }) {
  const [refresh, setRefresh] = useState(0);
  const entry = useLoad(async () => {
    const e = unwrap(await api.GET('/v1/journal/entries/{entryId}', { params: { path: { entryId } } }));
    // the entry names its corrections; their text is read alongside so the page shows them whole
    const corrections =
      e.kind === 'note'
        ? await Promise.all(
            (e.corrections ?? []).map(async (c) =>
              unwrap(await api.GET('/v1/journal/entries/{entryId}', { params: { path: { entryId: c.entryId } } })),
            ),
          )
        : [];
    return { e, corrections };
  }, [entryId, refresh]);
  const e = entry.data?.e;
  return (
    <>
      <p>
        <Link href="/journal">Back to the journal</Link>
      </p>
      <ProblemView error={entry.error} />
      {!e ? (
        entry.error ? (
          <h1>Journal entry</h1>
        ) : (
          <p aria-busy="true">Loading the entry…</p>
        )
      ) : e.kind === 'fill' ? (
        <section>
          <h1>
            Fill: {e.side} {e.symbol}
          </h1>
          <dl className="entry-facts">
            <dt>Time</dt>
            <dd>{when(e.at)}</dd>
            <dt>Quantity</dt>
            <dd>{formatDecimal(e.quantity)}</dd>
            <dt>Price</dt>
            <dd>
              <Money amount={e.price} />
            </dd>
            <dt>Fee</dt>
            <dd>
              <Money amount={e.fee} />
            </dd>
            <dt>{'Realised P&L'}</dt>
            <dd>
              <Money amount={e.realisedPnl} />
            </dd>
            <dt>Venue</dt>
            <dd>
              {e.source} · account {e.accountId} · order {e.orderId}
            </dd>
            <dt>Strategy</dt>
            <dd>{e.strategy ?? e.intent}</dd>
          </dl>
        </section>
      ) : (
        <>
          <section>
            <h1>{e.title}</h1>
            {e.corrects ? (
              <p className="notice">
                This note corrects <Link href={`/journal/${e.corrects}`}>an earlier note</Link>.
              </p>
            ) : null}
            <p>Notes cannot be changed: to correct this one, write a correction below.</p>
            <NoteBody note={e} />
          </section>
          <section aria-labelledby="corrections">
            <h2 id="corrections">Corrections</h2>
            {entry.data?.corrections.length ? (
              <ol className="corrections">
                {entry.data.corrections.map((c) => (
                  <li key={c.entryId}>
                    <Link href={`/journal/${c.entryId}`}>{c.kind === 'note' ? c.title : c.entryId}</Link>
                    {` — ${when(c.at)}`}
                    {c.kind === 'note' ? <p className="entry-content">{c.content}</p> : null}
                  </li>
                ))}
              </ol>
            ) : (
              <p>No corrections.</p>
            )}
          </section>
          <section aria-labelledby="write-correction">
            <h2 id="write-correction">Write a correction</h2>
            <NoteForm
              key={e.entryId}
              label="Write a correction"
              submitText="Save the correction"
              corrects={e.entryId}
              initial={{
                title: `Correction: ${e.title}`.slice(0, 200),
                type: e.type,
                symbol: e.symbol ?? '',
                tags: e.tags.join(', '),
              }}
              onSaved={() => setRefresh((n) => n + 1)}
            />
          </section>
        </>
      )}
    </>
  );
}

/** The investor's journal: fills and notes searched together, one entry with its corrections, trade logs. */
export function Journal() {
  const { entryId } = useParams<{ entryId?: string }>();
  return <div className="journal">{entryId ? <EntryPage entryId={entryId} /> : <JournalList />}</div>;
}
