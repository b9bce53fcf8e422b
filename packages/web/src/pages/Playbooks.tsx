import { type FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api, type Body, idempotencyKey, unwrap, useLoad } from '../api';
import { formatDecimal } from '../components/Money';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';
import './Playbooks.css';

type Playbook = Body<'playbooks.get'>;
type PlaybookRow = Body<'playbooks.list'>['items'][number];
type Version = Body<'playbooks.versions'>['items'][number];
type Cycle = Body<'automation.cycles.get'>;
type CycleRow = Body<'automation.cycles.list'>['items'][number];
type Decision = Body<'automation.decisions.list'>['items'][number];
type Health = Body<'automation.health'>;
type Status = PlaybookRow['status'];

const page = (cursor: string | undefined) => ({ limit: 20, ...(cursor ? { cursor } : {}) });
const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
const params = (p: Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ') || 'none';

function schedule(s: Playbook['schedule']): string {
  if (!s) return 'None: cycles run only when asked';
  if (s.kind === 'interval') return `Every ${s.every}`;
  const day = s.dayOfWeek !== undefined ? `, day ${s.dayOfWeek} of the week` : '';
  const month = s.dayOfMonth !== undefined ? `, day ${s.dayOfMonth} of the month` : '';
  return `${s.frequency} at ${s.timeOfDay} ${s.timezone}${day}${month}${s.excludeWeekends ? ', not weekends' : ''}`;
}

function sizing(s: Playbook['sizing']): string {
  if (s.kind === 'quantity') return `${formatDecimal(s.quantity)} ${s.quantity === '1' ? 'unit' : 'units'} an order`;
  return `${formatDecimal(s.notional, 2)} an order at the entry${s.fractional ? ', fractional' : ', whole units'}`;
}

export function Playbooks() {
  const { playbookId } = useParams<{ playbookId?: string }>();
  return playbookId ? <PlaybookView id={playbookId} /> : <PlaybookList />;
}

function PlaybookList() {
  const [status, setStatus] = useState<Status | ''>('');
  const [healthKey, setHealthKey] = useState(0);
  return (
    <section>
      <h1>Playbooks and automation</h1>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
            <option value="">Any</option>
            <option value="draft">Draft</option>
            <option value="active">Active</option>
            <option value="retired">Retired</option>
          </select>
        </label>
      </form>
      <Paged<PlaybookRow>
        caption="Playbooks of this project, newest first"
        rowKey={(p) => p.playbookId}
        reloadKey={status}
        empty="No playbook yet: make one from a completed optimisation."
        load={async (cursor) =>
          unwrap(
            await api.GET('/v1/playbooks', {
              params: { query: { ...page(cursor), ...(status ? { status } : {}) } },
            }),
          )
        }
        columns={[
          { header: 'Name', cell: (p) => <Link href={`/playbooks/${p.playbookId}`}>{p.name}</Link> },
          { header: 'Strategy', cell: (p) => p.strategy },
          { header: 'Symbol', cell: (p) => `${p.symbol} ${p.interval}` },
          { header: 'Account', cell: (p) => <code>{p.accountId}</code> },
          { header: 'Status', cell: (p) => <span className={`badge pb-${p.status}`}>{p.status}</span> },
          { header: 'Version', numeric: true, cell: (p) => p.version },
        ]}
      />
      <HealthPanel reloadKey={healthKey} />
      <HaltSwitch onChanged={() => setHealthKey((k) => k + 1)} />
    </section>
  );
}

function HealthPanel({ reloadKey, playbookId }: { reloadKey: unknown; playbookId?: string }) {
  const health = useLoad<Health>(async () => unwrap(await api.GET('/v1/automation/health')), [reloadKey]);
  const h = health.data;
  const agents = (h?.agents ?? []).filter((a) => !playbookId || a.playbookId === playbookId);
  return (
    <section aria-labelledby="health-title">
      <h2 id="health-title">{playbookId ? 'Its agent' : 'Agent health'}</h2>
      <ProblemView error={health.error} />
      {h ? (
        <>
          <p aria-live="polite">
            {h.halted ? (
              <span className="badge halted">Automation halted{h.haltReason ? `: ${h.haltReason}` : ''}</span>
            ) : (
              <span className="badge">Automation running</span>
            )}{' '}
            {h.healthy ? 'Every agent is healthy.' : 'At least one agent is unhealthy.'}
          </p>
          <table>
            <caption>{playbookId ? 'The agent of this playbook' : 'Agents of the active playbooks'}</caption>
            <thead>
              <tr>
                <th scope="col">Playbook</th>
                <th scope="col">Health</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Next run</th>
                <th scope="col" className="num">
                  Successes
                </th>
                <th scope="col" className="num">
                  Errors
                </th>
                <th scope="col" className="num">
                  Recent error rate
                </th>
                <th scope="col" className="num">
                  Orders today
                </th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.playbookId}>
                  <td>
                    <Link href={`/playbooks/${a.playbookId}`}>{a.playbookId}</Link>
                  </td>
                  <td className={a.healthy ? 'positive' : 'negative'}>
                    {a.healthy
                      ? 'Healthy'
                      : `Unhealthy: ${a.problems.map((p) => `${p.detail} (${p.code})`).join('; ')}`}
                  </td>
                  <td>{when(a.lastHeartbeatAt)}</td>
                  <td>{when(a.nextRunAt)}</td>
                  <td className="num">{a.successCount}</td>
                  <td className="num">{a.errorCount}</td>
                  <td className="num">
                    {Math.round(a.window.errorRate * 100)}% of {a.window.runs}
                  </td>
                  <td className="num">{a.ordersToday}</td>
                </tr>
              ))}
              {agents.length === 0 ? (
                <tr>
                  <td colSpan={8}>
                    {playbookId ? 'No agent: only an active playbook has one.' : 'No active playbook.'}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

/** The tenant's automation halt switch (admin, fresh login: api.ts asks for the sign-in). */
function HaltSwitch({ onChanged }: { onChanged: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function flip(halt: boolean) {
    if (halt && !window.confirm('Halt every trading cycle of every project of this tenant?')) return;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const body = { reason: reason.trim() };
      const r = unwrap(
        halt ? await api.POST('/v1/automation/halt', { body }) : await api.POST('/v1/automation/resume', { body }),
      );
      setDone(r.halted ? 'Automation is halted.' : 'Automation runs again.');
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="halt-title">
      <h2 id="halt-title">Halt switch</h2>
      <p>Stops every cycle of the tenant at its supervisor; orders placed by hand are the risk kill switch&apos;s.</p>
      <form className="inline" onSubmit={(e) => e.preventDefault()}>
        <label>
          Reason
          <input maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button type="button" className="danger" disabled={busy || !reason.trim()} onClick={() => void flip(true)}>
          Halt automation
        </button>
        <button type="button" className="secondary" disabled={busy || !reason.trim()} onClick={() => void flip(false)}>
          Resume automation
        </button>
      </form>
      <p aria-live="polite">{done}</p>
      <ProblemView error={error} />
    </section>
  );
}

function PlaybookView({ id }: { id: string }) {
  const [, navigate] = useLocation();
  const loaded = useLoad<Playbook>(
    async () => unwrap(await api.GET('/v1/playbooks/{playbookId}', { params: { path: { playbookId: id } } })),
    [id],
  );
  // what an action answered replaces what was loaded, so the page shows the version the API now holds
  const [changed, setChanged] = useState<Playbook>();
  const pb = changed?.playbookId === id ? changed : loaded.data;
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<string>();
  const [reloadKey, setReloadKey] = useState(0);
  const [cycle, setCycle] = useState<Cycle>();
  const [cycleKey, setCycleKey] = useState(idempotencyKey);

  async function act(what: 'activate' | 'retire') {
    if (!pb) return;
    if (what === 'retire' && !window.confirm('Retire this playbook? A retired playbook never changes again.')) return;
    setBusy(true);
    setActionError(undefined);
    setSaid(undefined);
    try {
      const opts = {
        params: { path: { playbookId: id }, header: { 'If-Match': String(pb.version) } },
        body: {},
      };
      const next = unwrap(
        what === 'activate'
          ? await api.POST('/v1/playbooks/{playbookId}/activate', opts)
          : await api.POST('/v1/playbooks/{playbookId}/retire', opts),
      );
      setChanged(next);
      setSaid(what === 'activate' ? 'The playbook is active.' : 'The playbook is retired.');
      setReloadKey((k) => k + 1);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!pb || !window.confirm('Delete this draft and its versions?')) return;
    setBusy(true);
    setActionError(undefined);
    try {
      unwrap(
        await api.DELETE('/v1/playbooks/{playbookId}', {
          params: { path: { playbookId: id }, header: { 'If-Match': String(pb.version) } },
        }),
      );
      navigate('/playbooks');
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  async function runCycle() {
    setBusy(true);
    setActionError(undefined);
    setSaid(undefined);
    try {
      const c = unwrap(
        await api.POST('/v1/automation/cycles', {
          params: { header: { 'Idempotency-Key': cycleKey } },
          body: { playbookId: id },
        }),
      );
      // a new key for the next run: this one would only replay the cycle just run
      setCycleKey(idempotencyKey());
      setCycle(c);
      setSaid(`Cycle ${c.cycleId} ${c.status}${c.code ? ` (${c.code})` : ''}${c.reason ? `: ${c.reason}` : ''}`);
      setReloadKey((k) => k + 1);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <p>
        <Link href="/playbooks">All playbooks</Link>
      </p>
      <h1>Playbook {pb ? pb.name : id}</h1>
      <ProblemView error={loaded.error} />
      {pb ? (
        <>
          <p className="pb-status">
            <span className={`badge pb-${pb.status}`}>{`Status: ${pb.status}`}</span>{' '}
            <span>{`Version ${pb.version}`}</span>
          </p>
          <dl className="pb-fields">
            <dt>Strategy</dt>
            <dd>{pb.strategy}</dd>
            <dt>Parameters</dt>
            <dd>
              <code>{params(pb.params)}</code>
            </dd>
            <dt>Market</dt>
            <dd>
              {pb.symbol} {pb.interval}, the last {pb.bars} bars
            </dd>
            <dt>Account</dt>
            <dd>
              <Link href={`/orders/${pb.accountId}`}>{pb.accountId}</Link>
            </dd>
            <dt>Schedule</dt>
            <dd>{schedule(pb.schedule)}</dd>
            <dt>Sizing</dt>
            <dd>{sizing(pb.sizing)}</dd>
            <dt>Exits without the signal&apos;s own</dt>
            <dd>
              stop {formatDecimal(pb.exits.stopLossPct)}%, target {formatDecimal(pb.exits.takeProfitPct)}%
            </dd>
            <dt>Orders a day at most</dt>
            <dd>{pb.maxOrdersPerDay}</dd>
            {pb.sourceOptimisationId ? (
              <>
                <dt>From optimisation</dt>
                <dd>
                  <Link href={`/optimisations/${pb.sourceOptimisationId}`}>{pb.sourceOptimisationId}</Link>
                </dd>
              </>
            ) : null}
            {pb.notes ? (
              <>
                <dt>Notes</dt>
                <dd>{pb.notes}</dd>
              </>
            ) : null}
            <dt>Created</dt>
            <dd>
              {when(pb.createdAt)} by {pb.createdBy}
            </dd>
            {pb.activatedAt ? (
              <>
                <dt>Activated</dt>
                <dd>{when(pb.activatedAt)}</dd>
              </>
            ) : null}
            {pb.retiredAt ? (
              <>
                <dt>Retired</dt>
                <dd>{when(pb.retiredAt)}</dd>
              </>
            ) : null}
          </dl>
          <div className="actions">
            {pb.status === 'draft' ? (
              <button type="button" disabled={busy} onClick={() => void act('activate')}>
                Activate
              </button>
            ) : null}
            {pb.status !== 'retired' ? (
              <button type="button" className="danger" disabled={busy} onClick={() => void act('retire')}>
                Retire
              </button>
            ) : null}
            {pb.status === 'draft' ? (
              <button type="button" className="secondary" disabled={busy} onClick={() => void remove()}>
                Delete draft
              </button>
            ) : null}
            <button type="button" className="secondary" disabled={busy} onClick={() => void runCycle()}>
              Run a cycle now
            </button>
          </div>
          <p aria-live="polite">{said}</p>
          <ProblemView error={actionError} />
          {pb.status !== 'retired' ? (
            <EditPlaybook key={pb.version} pb={pb} onSaved={(next) => (setChanged(next), setReloadKey((k) => k + 1))} />
          ) : null}
        </>
      ) : null}

      {cycle ? <CycleSteps cycle={cycle} /> : null}

      <h2>Decisions</h2>
      <Paged<Decision>
        caption="Decisions of this playbook's cycles, newest cycle first"
        rowKey={(d) => d.decisionId}
        reloadKey={reloadKey}
        empty="No decision yet: run a cycle of the active playbook."
        load={async (cursor) =>
          unwrap(await api.GET('/v1/automation/decisions', { params: { query: { ...page(cursor), playbookId: id } } }))
        }
        columns={[
          { header: 'At', cell: (d) => when(d.at) },
          { header: 'Step', cell: (d) => d.step },
          { header: 'Outcome', cell: (d) => <span className={`outcome-${d.outcome}`}>{d.outcome}</span> },
          { header: 'Code', cell: (d) => <code>{d.code}</code> },
          { header: 'Reasoning', cell: (d) => d.reasoning },
        ]}
      />

      <h2>Cycles</h2>
      <Cycles id={id} reloadKey={reloadKey} onShow={setCycle} />

      <h2>Versions</h2>
      <Paged<Version>
        caption="Every version of this playbook, newest first"
        rowKey={(v) => String(v.version)}
        reloadKey={reloadKey}
        load={async (cursor) =>
          unwrap(
            await api.GET('/v1/playbooks/{playbookId}/versions', {
              params: { path: { playbookId: id }, query: page(cursor) },
            }),
          )
        }
        columns={[
          { header: 'Version', numeric: true, cell: (v) => v.version },
          { header: 'Status', cell: (v) => v.status },
          { header: 'Name', cell: (v) => v.name },
          { header: 'Parameters', cell: (v) => <code>{params(v.params)}</code> },
          { header: 'Account', cell: (v) => <code>{v.accountId}</code> },
          { header: 'Changed', cell: (v) => `${when(v.updatedAt)} by ${v.updatedBy}` },
        ]}
      />

      <HealthPanel reloadKey={reloadKey} playbookId={id} />
    </section>
  );
}

function Cycles({ id, reloadKey, onShow }: { id: string; reloadKey: unknown; onShow: (c: Cycle) => void }) {
  const [error, setError] = useState<unknown>();
  async function show(cycleId: string) {
    setError(undefined);
    try {
      onShow(unwrap(await api.GET('/v1/automation/cycles/{cycleId}', { params: { path: { cycleId } } })));
    } catch (e) {
      setError(e);
    }
  }
  return (
    <>
      <ProblemView error={error} />
      <Paged<CycleRow>
        caption="Cycles of this playbook, newest first"
        rowKey={(c) => c.cycleId}
        reloadKey={reloadKey}
        empty="No cycle yet."
        load={async (cursor) =>
          unwrap(await api.GET('/v1/automation/cycles', { params: { query: { ...page(cursor), playbookId: id } } }))
        }
        columns={[
          { header: 'Started', cell: (c) => when(c.startedAt) },
          { header: 'Source', cell: (c) => c.source },
          { header: 'Status', cell: (c) => c.status },
          { header: 'Ended at', cell: (c) => (c.endedAt ? `${c.endedAt}${c.code ? ` (${c.code})` : ''}` : '—') },
          {
            header: 'Order',
            cell: (c) => (c.order ? `${c.order.side} ${formatDecimal(c.order.quantity)} (${c.order.status})` : 'none'),
          },
          {
            header: 'Steps',
            cell: (c) => (
              <button type="button" className="secondary" onClick={() => void show(c.cycleId)}>
                Show steps<span className="sr-only"> of cycle {c.cycleId}</span>
              </button>
            ),
          },
        ]}
      />
    </>
  );
}

function CycleSteps({ cycle }: { cycle: Cycle }) {
  return (
    <table className="cycle-steps">
      <caption>
        Cycle {cycle.cycleId}: {cycle.status}
        {cycle.endedAt ? ` at ${cycle.endedAt}` : ''}
        {cycle.reason ? `, ${cycle.reason}` : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Outcome</th>
          <th scope="col">Code</th>
          <th scope="col">Reasoning</th>
        </tr>
      </thead>
      <tbody>
        {cycle.steps.map((s) => (
          <tr key={s.decisionId}>
            <td>{s.step}</td>
            <td>{s.outcome}</td>
            <td>
              <code>{s.code}</code>
            </td>
            <td>{s.reasoning}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EditPlaybook({ pb, onSaved }: { pb: Playbook; onSaved: (next: Playbook) => void }) {
  const [name, setName] = useState(pb.name);
  const [bars, setBars] = useState(String(pb.bars));
  const [maxOrders, setMaxOrders] = useState(String(pb.maxOrdersPerDay));
  const [notes, setNotes] = useState(pb.notes ?? '');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const next = unwrap(
        await api.PATCH('/v1/playbooks/{playbookId}', {
          params: { path: { playbookId: pb.playbookId }, header: { 'If-Match': String(pb.version) } },
          body: {
            name: name.trim(),
            bars: Number(bars),
            maxOrdersPerDay: Number(maxOrders),
            notes: notes.trim() ? notes.trim() : null,
          },
        }),
      );
      onSaved(next);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <details className="pb-edit">
      <summary>Change this playbook</summary>
      <form onSubmit={(e) => void save(e)}>
        <label>
          Name
          <input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Bars read
          <input type="number" min={2} max={5000} value={bars} onChange={(e) => setBars(e.target.value)} />
        </label>
        <label>
          Orders a day at most
          <input type="number" min={1} max={20} value={maxOrders} onChange={(e) => setMaxOrders(e.target.value)} />
        </label>
        <label>
          Notes
          <textarea maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} />
        </label>
        <ProblemView error={error} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save a new version
          </button>
        </div>
      </form>
    </details>
  );
}
