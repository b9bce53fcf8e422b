import type { operations } from '@ballast/client/index.js';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api, type Body, idempotencyKey, unwrap, useLoad } from '../api';
import { Paged } from '../components/Paged';
import { ProblemView } from '../components/ProblemView';
import './Optimisations.css';

type Optimisation = Body<'optimisations.get'>;
type OptimisationRow = Body<'optimisations.list'>['items'][number];
type Result = Body<'optimisations.results'>['items'][number];
type WalkForward = Body<'optimisations.walkForward'>;
type Strategy = Body<'strategies.list'>['items'][number];
type CreateBody = operations['optimisations.create']['requestBody']['content']['application/json'];

const INTERVALS: CreateBody['interval'][] = ['1min', '5min', '15min', '30min', '1h', '4h', '1day', '1week', '1month'];
const RUNNING = new Set(['pending', 'running']);

/** One parameter of a strategy as its JSON Schema (GET /v1/strategies) describes it. */
interface ParamSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
}

interface Range {
  use: boolean;
  min: string;
  max: string;
  step: string;
}

function propertiesOf(s: Strategy | undefined): Array<[string, ParamSchema]> {
  const props = (s?.parameters as { properties?: Record<string, ParamSchema> } | undefined)?.properties ?? {};
  return Object.entries(props);
}

const isNumeric = (p: ParamSchema) => p.type === 'integer' || p.type === 'number';
const round6 = (n: number) => Number(n.toFixed(6));

/**
 * A modest range around the default, inside the schema's bounds: the whole range of most
 * parameters (a period of 2…2,000) would be a grid far larger than anyone means to run.
 */
function prefill(p: ParamSchema): Range {
  const lo = p.minimum ?? Number.NEGATIVE_INFINITY;
  const hi = p.maximum ?? Number.POSITIVE_INFINITY;
  const clamp = (n: number) => Math.min(hi, Math.max(lo, n));
  const d = typeof p.default === 'number' ? p.default : Number.isFinite(lo) ? lo : 0;
  if (p.type === 'integer') {
    const min = clamp(Math.round(d / 2));
    let max = clamp(Math.round(d * 1.5));
    if (max <= min) max = clamp(min + 4);
    const step = Math.max(1, Math.ceil((max - min) / 4));
    return { use: true, min: String(min), max: String(max), step: String(step) };
  }
  let min: number;
  let max: number;
  if (d > 0) {
    min = clamp(d / 2);
    max = clamp(d * 1.5);
  } else {
    min = clamp(d);
    max = clamp(min + (Number.isFinite(hi - min) ? (hi - min) / 10 : 1));
  }
  const step = round6((max - min) / 4) || 1;
  return { use: false, min: String(round6(min)), max: String(round6(max)), step: String(step) };
}

function pointsOf(r: Range): number {
  const min = Number(r.min);
  const max = Number(r.max);
  const step = Number(r.step);
  if (!(step > 0) || !Number.isFinite(min) || !Number.isFinite(max) || max < min) return 0;
  // the same tolerance for a float step that lands just short of max
  return Math.floor((max - min) / step + 1e-9) + 1;
}

function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/** A ratio from the backtester; an infinite objective is stored as ±1e125 so it keeps its place. */
function num(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1e100) return n > 0 ? '∞' : '−∞';
  return n.toLocaleString(undefined, { maximumFractionDigits: digits });
}
const pct = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : `${num(n * 100, digits)}%`;

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

export function Optimisations() {
  const { optimisationId } = useParams<{ optimisationId?: string }>();
  return optimisationId ? <OptimisationView id={optimisationId} /> : <OptimisationList />;
}

function OptimisationList() {
  return (
    <section>
      <h1>Optimisations</h1>
      <Paged<OptimisationRow>
        caption="Optimisations of this project, newest first"
        rowKey={(o) => o.optimisationId}
        empty="No optimisation yet: start one below."
        load={async (cursor) =>
          unwrap(
            await api.GET('/v1/optimisations', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }),
          )
        }
        columns={[
          {
            header: 'Strategy',
            cell: (o) => (
              <Link href={`/optimisations/${o.optimisationId}`}>
                {o.strategy} <span className="opt-id">{o.optimisationId}</span>
              </Link>
            ),
          },
          { header: 'Symbol', cell: (o) => `${o.symbol} ${o.interval}` },
          { header: 'Status', cell: (o) => <span className={`badge status-${o.status}`}>{o.status}</span> },
          { header: 'Done / total', numeric: true, cell: (o) => `${o.done} / ${o.total}` },
          { header: 'Created', cell: (o) => new Date(o.createdAt).toLocaleString() },
        ]}
      />
      <NewOptimisation />
    </section>
  );
}

function NewOptimisation() {
  const [, navigate] = useLocation();
  const catalogue = useLoad(async () => {
    const [strategies, methods, objectives] = await Promise.all([
      api.GET('/v1/strategies').then(unwrap),
      api.GET('/v1/optimisation/methods').then(unwrap),
      api.GET('/v1/optimisation/objectives').then(unwrap),
    ]);
    return { strategies: strategies.items, methods: methods.items, objectives: objectives.items };
  }, []);
  const today = new Date();
  const twoYearsAgo = new Date(Date.UTC(today.getUTCFullYear() - 2, today.getUTCMonth(), today.getUTCDate()));
  const [strategyName, setStrategyName] = useState('');
  const [symbol, setSymbol] = useState('AAPL');
  const [interval, setBarInterval] = useState<CreateBody['interval']>('1day');
  const [from, setFrom] = useState(isoDate(twoYearsAgo));
  const [to, setTo] = useState(isoDate(today));
  const [method, setMethod] = useState<CreateBody['method']>('grid');
  const [objective, setObjective] = useState<CreateBody['objective']>('sharpe');
  const [maxCandidates, setMaxCandidates] = useState('100');
  const [seed, setSeed] = useState('0');
  const [maxDrawdownPct, setMaxDrawdownPct] = useState('');
  const [folds, setFolds] = useState('');
  const [inSamplePct, setInSamplePct] = useState('70');
  const [ranges, setRanges] = useState<Record<string, Range>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(idempotencyKey);

  const strategies = catalogue.data?.strategies ?? [];
  const strategy = strategies.find((s) => s.name === strategyName);
  const params = propertiesOf(strategy);

  // the first strategy until the user picks one; a new strategy starts its space afresh from its schema
  useEffect(() => {
    const first = strategies.find((s) => s.name === 'smaCross') ?? strategies[0];
    if (!strategyName && first) setStrategyName(first.name);
  }, [strategies, strategyName]);
  useEffect(() => {
    const next: Record<string, Range> = {};
    for (const [name, p] of propertiesOf(strategy)) if (isNumeric(p)) next[name] = prefill(p);
    setRanges(next);
  }, [strategy]);

  const gridSize = useMemo(
    () =>
      Object.values(ranges)
        .filter((r) => r.use)
        .reduce((n, r) => n * pointsOf(r), 1),
    [ranges],
  );
  const setRange = (name: string, patch: Partial<Range>) =>
    setRanges((rs) => ({ ...rs, [name]: { ...rs[name], ...patch } }));

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const space: CreateBody['space'] = {};
      for (const [name, r] of Object.entries(ranges))
        if (r.use) space[name] = { min: Number(r.min), max: Number(r.max), step: Number(r.step) };
      const body: CreateBody = {
        strategy: strategyName as CreateBody['strategy'],
        space,
        method,
        maxCandidates: Number(maxCandidates),
        seed: Number(seed),
        objective,
        constraints: maxDrawdownPct.trim() ? { maxDrawdown: Number(maxDrawdownPct) / 100 } : {},
        symbol: symbol.trim().toUpperCase(),
        interval,
        from,
        to,
        ...(folds.trim() ? { walkForward: { folds: Number(folds), inSamplePct: Number(inSamplePct) } } : {}),
      };
      const created = unwrap(
        await api.POST('/v1/optimisations', { params: { header: { 'Idempotency-Key': key } }, body }),
      );
      setKey(idempotencyKey());
      navigate(`/optimisations/${created.optimisationId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h2>New optimisation</h2>
      <ProblemView error={catalogue.error} />
      <form className="new-optimisation" onSubmit={(e) => void create(e)} onChange={() => setError(undefined)}>
        <label>
          Strategy
          <select required value={strategyName} onChange={(e) => setStrategyName(e.target.value)}>
            {strategies.map((s) => (
              <option key={s.name} value={s.name}>
                {s.title} ({s.name})
              </option>
            ))}
          </select>
        </label>
        {strategy ? <p className="hint">{strategy.description}</p> : null}
        <div className="row">
          <label>
            Symbol
            <input required value={symbol} onChange={(e) => setSymbol(e.target.value)} />
          </label>
          <label>
            Interval
            <select value={interval} onChange={(e) => setBarInterval(e.target.value as CreateBody['interval'])}>
              {INTERVALS.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </label>
          <label>
            From
            <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To
            <input type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </div>
        <div className="row">
          <label>
            Method
            <select value={method} onChange={(e) => setMethod(e.target.value as CreateBody['method'])}>
              {(catalogue.data?.methods ?? []).map((m) => (
                <option key={m.name} value={m.name} title={m.description}>
                  {m.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            Objective
            <select value={objective} onChange={(e) => setObjective(e.target.value as CreateBody['objective'])}>
              {(catalogue.data?.objectives ?? []).map((o) => (
                <option key={o.name} value={o.name} title={o.description}>
                  {o.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            Max candidates
            <input
              type="number"
              required
              min={1}
              max={10000}
              value={maxCandidates}
              onChange={(e) => setMaxCandidates(e.target.value)}
            />
          </label>
          <label>
            Seed
            <input type="number" required min={0} value={seed} onChange={(e) => setSeed(e.target.value)} />
          </label>
        </div>

        <fieldset>
          <legend>Parameter space</legend>
          {params.length === 0 ? <p>This strategy has no parameters to search.</p> : null}
          <table className="space">
            <caption className="sr-only">Range searched for each parameter</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Search it</th>
                <th scope="col">Min</th>
                <th scope="col">Max</th>
                <th scope="col">Step</th>
              </tr>
            </thead>
            <tbody>
              {params.map(([name, p]) => {
                const r = ranges[name];
                const bounds = `${p.type}${p.minimum !== undefined ? `, ${p.minimum}` : ''}${
                  p.maximum !== undefined ? ` to ${p.maximum}` : ''
                }, default ${JSON.stringify(p.default)}`;
                return (
                  <tr key={name}>
                    <th scope="row">
                      <code>{name}</code>
                      <div className="hint">
                        {p.description} ({bounds})
                      </div>
                    </th>
                    {r ? (
                      <>
                        <td>
                          <label className="check">
                            <input
                              type="checkbox"
                              checked={r.use}
                              onChange={(e) => setRange(name, { use: e.target.checked })}
                            />
                            <span className="sr-only">Search {name}</span>
                          </label>
                        </td>
                        {(['min', 'max', 'step'] as const).map((f) => (
                          <td key={f}>
                            <label>
                              <span className="sr-only">
                                {name} {f}
                              </span>
                              <input
                                type="number"
                                step="any"
                                min={f === 'step' ? undefined : p.minimum}
                                max={f === 'step' ? undefined : p.maximum}
                                disabled={!r.use}
                                value={r[f]}
                                onChange={(e) => setRange(name, { [f]: e.target.value })}
                              />
                            </label>
                          </td>
                        ))}
                      </>
                    ) : (
                      <td colSpan={4}>held at its default</td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p aria-live="polite">
            {Object.values(ranges).some((r) => r.use)
              ? `The space holds ${gridSize.toLocaleString()} points.`
              : 'No parameter is searched: every candidate runs the defaults.'}
          </p>
        </fieldset>

        <fieldset>
          <legend>Constraints and walk-forward (optional)</legend>
          <div className="row">
            <label>
              Max drawdown (%)
              <input
                type="number"
                min={0}
                max={100}
                step="any"
                value={maxDrawdownPct}
                onChange={(e) => setMaxDrawdownPct(e.target.value)}
              />
            </label>
            <label>
              Walk-forward folds
              <input type="number" min={1} max={20} value={folds} onChange={(e) => setFolds(e.target.value)} />
            </label>
            <label>
              In-sample share (%)
              <input
                type="number"
                min={1}
                max={99}
                value={inSamplePct}
                disabled={!folds.trim()}
                onChange={(e) => setInSamplePct(e.target.value)}
              />
            </label>
          </div>
        </fieldset>
        <ProblemView error={error} />
        <div className="actions">
          <button type="submit" disabled={busy || !strategy}>
            Start optimisation
          </button>
        </div>
      </form>
    </>
  );
}

function OptimisationView({ id }: { id: string }) {
  const [opt, setOpt] = useState<Optimisation>();
  const [error, setError] = useState<unknown>();
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [, navigate] = useLocation();

  // poll every second while the jobs spine works on it; stop once it has ended
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const o = unwrap(
          await api.GET('/v1/optimisations/{optimisationId}', { params: { path: { optimisationId: id } } }),
        );
        if (stopped) return;
        setOpt(o);
        setError(undefined);
        if (RUNNING.has(o.status)) timer = setTimeout(() => void tick(), 1000);
      } catch (e) {
        if (stopped) return;
        setError(e);
        timer = setTimeout(() => void tick(), 3000);
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [id]);

  async function cancel() {
    if (!window.confirm('Cancel this optimisation? The results so far are kept.')) return;
    setBusy(true);
    setActionError(undefined);
    try {
      setOpt(
        unwrap(
          await api.POST('/v1/optimisations/{optimisationId}/cancel', {
            params: { path: { optimisationId: id } },
            body: {},
          }),
        ),
      );
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  const running = opt ? RUNNING.has(opt.status) : false;
  const statusText = opt
    ? `${opt.status[0].toUpperCase()}${opt.status.slice(1)}: ${opt.done} of ${opt.total} candidates evaluated`
    : 'Loading…';
  return (
    <section>
      <p>
        <Link href="/optimisations">All optimisations</Link>
      </p>
      <h1>
        Optimisation {id}
        {opt ? ` · ${opt.strategy} on ${opt.symbol} ${opt.interval}` : ''}
      </h1>
      <ProblemView error={error} />
      {opt ? (
        <>
          <div className="card progress-card">
            <label>
              Candidates evaluated
              <progress value={opt.done} max={Math.max(opt.total, 1)}>
                {opt.done} of {opt.total}
              </progress>
            </label>
            <p aria-live="polite" className="status-text">
              {statusText}
            </p>
            {opt.status === 'pending' ? (
              <p className="muted">Queued: the jobs spine starts work at the next minute boundary.</p>
            ) : null}
            {running && opt.etaAt ? <p>Expected to finish at {new Date(opt.etaAt).toLocaleTimeString()}</p> : null}
            {opt.error ? (
              <p className="negative">
                Failed: {opt.error.detail} ({opt.error.code})
              </p>
            ) : null}
            <div className="actions">
              {running ? (
                <button type="button" className="danger" disabled={busy} onClick={() => void cancel()}>
                  Cancel optimisation
                </button>
              ) : null}
            </div>
            <ProblemView error={actionError} />
          </div>

          <div className="cards">
            <div className="card">
              <div className="figure-label">{running ? 'Best so far' : 'Winner'}</div>
              <div className="figure-value">{opt.best ? num(opt.best.score, 4) : '—'}</div>
              <div>
                {opt.best
                  ? `${formatParams(opt.best.params)}${opt.best.passed ? '' : ' (misses a constraint)'}`
                  : 'Nothing evaluated yet'}
              </div>
            </div>
            <div className="card">
              <div className="figure-label">Search</div>
              <div>
                {opt.method}, objective {opt.objective}, at most {opt.maxCandidates} candidates (space of{' '}
                {opt.spaceSize})
              </div>
              <div>
                {opt.bars} bars, {opt.from} to {opt.to}
              </div>
            </div>
            <div className="card">
              <div className="figure-label">Constraints</div>
              <div>
                {Object.keys(opt.constraints).length
                  ? Object.entries(opt.constraints)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(', ')
                  : 'None'}
              </div>
            </div>
            <div className="card">
              <div className="figure-label">Look-ahead check</div>
              <div className={opt.lookAhead?.biased ? 'negative' : undefined}>
                {opt.lookAhead
                  ? opt.lookAhead.biased
                    ? `Biased: signals at ${opt.lookAhead.changed.length} bars change once later bars are removed`
                    : `No look-ahead bias (${opt.lookAhead.barsChecked} bars at ${opt.lookAhead.cuts.length} cuts)`
                  : 'Not checked yet (it runs when the search completes)'}
              </div>
            </div>
          </div>

          <Results id={id} reloadKey={`${opt.status}:${opt.done}`} objective={opt.objective} />
          {opt.walkForward && opt.status === 'completed' ? <WalkForwardReport id={id} /> : null}
          {opt.status === 'completed' ? <MakePlaybook id={id} onMade={(pb) => navigate(`/playbooks/${pb}`)} /> : null}
        </>
      ) : null}
    </section>
  );
}

function Results({ id, reloadKey, objective }: { id: string; reloadKey: string; objective: string }) {
  return (
    <Paged<Result>
      caption="Ranked results (candidates meeting every constraint first)"
      rowKey={(r) => String(r.index)}
      reloadKey={reloadKey}
      empty="No result yet."
      load={async (cursor) =>
        unwrap(
          await api.GET('/v1/optimisations/{optimisationId}/results', {
            params: { path: { optimisationId: id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } },
          }),
        )
      }
      columns={[
        { header: 'Rank', numeric: true, cell: (r) => r.rank },
        { header: 'Parameters', cell: (r) => <code>{formatParams(r.params)}</code> },
        { header: `Objective (${objective})`, numeric: true, cell: (r) => num(r.score, 4) },
        { header: 'Total return', numeric: true, cell: (r) => pct(r.metrics?.totalReturn) },
        { header: 'Sharpe', numeric: true, cell: (r) => num(r.metrics?.sharpe) },
        { header: 'Max drawdown', numeric: true, cell: (r) => pct(r.metrics?.maxDrawdown) },
        { header: 'Trades', numeric: true, cell: (r) => num(r.metrics?.tradeCount, 0) },
        { header: 'Win rate', numeric: true, cell: (r) => pct(r.metrics?.winRate, 1) },
        { header: 'Profit factor', numeric: true, cell: (r) => num(r.metrics?.profitFactor) },
        {
          header: 'Constraints',
          cell: (r) =>
            r.error ? (
              <span className="negative">Invalid: {r.error}</span>
            ) : r.passed ? (
              <span className="positive">Passed</span>
            ) : (
              <span className="negative">
                Failed:{' '}
                {r.constraints
                  .filter((c) => !c.passed)
                  .map((c) => `${c.name} (${num(c.value)} vs ${num(c.limit)})`)
                  .join(', ') || r.failed.join(', ')}
              </span>
            ),
        },
      ]}
    />
  );
}

function WalkForwardReport({ id }: { id: string }) {
  const report = useLoad<WalkForward>(
    async () =>
      unwrap(
        await api.GET('/v1/optimisations/{optimisationId}/walk-forward', { params: { path: { optimisationId: id } } }),
      ),
    [id],
  );
  const wf = report.data;
  return (
    <section aria-labelledby="wf-title">
      <h2 id="wf-title">Walk-forward report</h2>
      <ProblemView error={report.error} />
      {wf ? (
        <>
          <div className="cards">
            <div className="card">
              <div className="figure-label">Folds with a positive out-of-sample Sharpe</div>
              <div className="figure-value">{pct(wf.positiveOutOfSampleSharpeShare, 0)}</div>
            </div>
            <div className="card">
              <div className="figure-label">Walk-forward efficiency (out-of-sample ÷ in-sample)</div>
              <div className="figure-value">{num(wf.overfitting.walkForwardEfficiency)}</div>
            </div>
            <div className="card">
              <div className="figure-label">Sharpe degradation</div>
              <div className="figure-value">{num(wf.overfitting.sharpeDegradation)}</div>
            </div>
            <div className="card">
              <div className="figure-label">Overfitting</div>
              <div className={wf.overfitting.likelyOverfit ? 'figure-value negative' : 'figure-value'}>
                {wf.overfitting.likelyOverfit ? 'Likely overfit' : 'Not flagged'}
              </div>
              <div>
                {wf.overfitting.degradedWindows ?? '—'} degraded windows; mean Sharpe in{' '}
                {num(wf.overfitting.meanIsSharpe)}, out {num(wf.overfitting.meanOosSharpe)}
              </div>
            </div>
          </div>
          <table>
            <caption>
              Folds ({wf.inSampleBars} in-sample and {wf.outOfSampleBars} out-of-sample bars each)
            </caption>
            <thead>
              <tr>
                <th scope="col">Fold</th>
                <th scope="col">In sample</th>
                <th scope="col">Out of sample</th>
                <th scope="col">Winner</th>
                <th scope="col" className="num">
                  In-sample score
                </th>
                <th scope="col" className="num">
                  Out-of-sample score
                </th>
                <th scope="col" className="num">
                  Out-of-sample Sharpe
                </th>
              </tr>
            </thead>
            <tbody>
              {wf.folds.map((f) => (
                <tr key={f.fold}>
                  <td>{f.fold}</td>
                  <td>
                    {f.inSample.from.slice(0, 10)} to {f.inSample.to.slice(0, 10)}
                  </td>
                  <td>
                    {f.outOfSample.from.slice(0, 10)} to {f.outOfSample.to.slice(0, 10)}
                  </td>
                  <td>
                    <code>{formatParams(f.params)}</code>
                  </td>
                  <td className="num">{num(f.inSampleScore, 4)}</td>
                  <td className="num">{num(f.outOfSampleScore, 4)}</td>
                  <td className="num">{num(f.outOfSampleMetrics.sharpe)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

function MakePlaybook({ id, onMade }: { id: string; onMade: (playbookId: string) => void }) {
  const accounts = useLoad(
    async () => unwrap(await api.GET('/v1/accounts', { params: { query: { limit: 100 } } })).items,
    [],
  );
  const [accountId, setAccountId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(idempotencyKey);
  const list = accounts.data ?? [];
  const chosen = accountId || list[0]?.accountId || '';

  async function make(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // without an account the API says why (accountId is required): its answer is shown, nothing is invented
      const made = unwrap(
        await api.POST('/v1/optimisations/{optimisationId}/playbook', {
          params: { path: { optimisationId: id }, header: { 'Idempotency-Key': key } },
          body: { accountId: chosen, ...(name.trim() ? { name: name.trim() } : {}) },
        }),
      );
      setKey(idempotencyKey());
      onMade(made.playbookId);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="mk-title">
      <h2 id="mk-title">Trade the winner</h2>
      <ProblemView error={accounts.error} />
      <form className="inline" onSubmit={(e) => void make(e)}>
        <label>
          Trading account
          <select value={chosen} onChange={(e) => setAccountId(e.target.value)}>
            {list.length === 0 ? <option value="">No account in this project</option> : null}
            {list.map((a) => (
              <option key={a.accountId} value={a.accountId}>
                {a.name} ({a.venue}, {a.mode})
              </option>
            ))}
          </select>
        </label>
        <label>
          Playbook name (optional)
          <input maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Make a playbook
        </button>
      </form>
      <ProblemView error={error} />
    </section>
  );
}
