import { type ComponentType, lazy, Suspense, useEffect, useState, useSyncExternalStore } from 'react';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import {
  api,
  type Body,
  cancelStepUp,
  confirmStepUp,
  messageOf,
  setProject,
  unwrap,
  useProject,
  useStepUpPending,
} from './api';
import { completeCognitoRedirect, getSession, signOut, subscribe } from './auth/session';
import { ProblemView } from './components/ProblemView';
import { SignIn } from './pages/SignIn';
import { loadTheme } from './theme';

// Each page is its own chunk: the first load ships the shell, a page's code (and the charts
// library) comes when it is opened.
const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));

const Portfolios = page(() => import('./pages/Portfolios'), 'Portfolios');
const Portfolio = page(() => import('./pages/Portfolio'), 'Portfolio');
const ImportPage = page(() => import('./pages/Import'), 'ImportPage');
const Allocation = page(() => import('./pages/Allocation'), 'Allocation');
const Rebalance = page(() => import('./pages/Rebalance'), 'Rebalance');
const Orders = page(() => import('./pages/Orders'), 'Orders');
const Risk = page(() => import('./pages/Risk'), 'Risk');
const Backtests = page(() => import('./pages/Backtests'), 'Backtests');
const Optimisations = page(() => import('./pages/Optimisations'), 'Optimisations');
const Playbooks = page(() => import('./pages/Playbooks'), 'Playbooks');
const Journal = page(() => import('./pages/Journal'), 'Journal');
const Watchlists = page(() => import('./pages/Watchlists'), 'Watchlists');
const Preferences = page(() => import('./pages/Preferences'), 'Preferences');

const NAV: Array<[string, string]> = [
  ['/portfolios', 'Portfolios'],
  ['/orders', 'Orders and positions'],
  ['/risk', 'Risk and trading mode'],
  ['/backtests', 'Backtests'],
  ['/optimisations', 'Optimisations'],
  ['/playbooks', 'Playbooks and automation'],
  ['/journal', 'Journal'],
  ['/watchlists', 'Watchlists'],
  ['/preferences', 'Preferences'],
];

function useSession() {
  return useSyncExternalStore(subscribe, getSession);
}

type Me = Body<'me.get'>;

function ProjectPicker({ me }: { me: Me }) {
  const projectId = useProject();
  const [projects, setProjects] = useState<Array<{ projectId: string; name: string }>>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    void (async () => {
      try {
        const page = unwrap(
          await api.GET('/v1/tenants/{tenantId}/projects', {
            params: { path: { tenantId: me.tenantId }, query: { limit: 100 } },
          }),
        );
        setProjects(page.items);
        if (!projectId && page.items[0]) setProject(page.items[0].projectId);
      } catch (e) {
        setError(e);
      }
    })();
  }, [me.tenantId, projectId]);
  if (error) return <ProblemView error={error} />;
  // label beside the select, not around it: the select's accessible name is "Project", not its option too
  return (
    <span className="project-picker">
      <label htmlFor="project-picker">Project</label>
      <select id="project-picker" value={projectId ?? ''} onChange={(e) => setProject(e.target.value || undefined)}>
        {projects.map((p) => (
          <option key={p.projectId} value={p.projectId}>
            {p.name} ({p.projectId})
          </option>
        ))}
      </select>
    </span>
  );
}

function StepUpDialog() {
  const pending = useStepUpPending();
  const [error, setError] = useState<string>();
  if (!pending) return null;
  return (
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="step-up-title" className="dialog">
        <h2 id="step-up-title">Confirm it is you</h2>
        <p>This action needs a recent sign-in. Sign in again to continue; the action then goes ahead.</p>
        {error ? <p role="alert">{error}</p> : null}
        <div className="actions">
          <button
            type="button"
            // the dialog's one purpose: the first control takes the focus
            autoFocus
            onClick={() => void confirmStepUp().catch((e: unknown) => setError(messageOf(e)))}
          >
            Sign in again
          </button>
          <button type="button" className="secondary" onClick={cancelStepUp}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}

function Shell() {
  const session = useSession();
  const projectId = useProject();
  const [me, setMe] = useState<Me>();
  const [error, setError] = useState<unknown>();
  const [location] = useLocation();
  useEffect(() => {
    if (!session) return;
    void (async () => {
      try {
        setMe(unwrap(await api.GET('/v1/me')));
        await loadTheme().catch(() => undefined);
      } catch (e) {
        setError(e);
      }
    })();
  }, [session?.userId]);
  if (!session) return <SignIn />;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Ballast</span>
        {me ? <ProjectPicker me={me} /> : null}
        <span className="who">
          {session.userId}
          {me ? ` · ${me.tenantId} · ${me.tier}` : ''}
        </span>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav className="side" aria-label="Sections">
        <ul>
          {NAV.map(([href, label]) => (
            <li key={href}>
              <Link href={href} aria-current={location.startsWith(href) ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <ProblemView error={error} />
        {me && projectId ? (
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            {/* a new project starts every page afresh */}
            <Switch key={projectId}>
              <Route path="/portfolios" component={Portfolios} />
              <Route path="/portfolios/:portfolioId" component={Portfolio} />
              <Route path="/portfolios/:portfolioId/import" component={ImportPage} />
              <Route path="/portfolios/:portfolioId/allocation" component={Allocation} />
              <Route path="/portfolios/:portfolioId/rebalance" component={Rebalance} />
              <Route path="/orders" component={Orders} />
              <Route path="/risk" component={Risk} />
              <Route path="/orders/:accountId" component={Orders} />
              <Route path="/backtests" component={Backtests} />
              <Route path="/backtests/:backtestId" component={Backtests} />
              <Route path="/optimisations" component={Optimisations} />
              <Route path="/optimisations/:optimisationId" component={Optimisations} />
              <Route path="/playbooks" component={Playbooks} />
              <Route path="/playbooks/:playbookId" component={Playbooks} />
              <Route path="/journal" component={Journal} />
              <Route path="/journal/:entryId" component={Journal} />
              <Route path="/watchlists" component={Watchlists} />
              <Route path="/watchlists/:watchlistId" component={Watchlists} />
              <Route path="/preferences" component={Preferences} />
              <Route>
                <Home />
              </Route>
            </Switch>
          </Suspense>
        ) : me ? (
          <p>This tenant has no project yet.</p>
        ) : null}
      </main>
      <StepUpDialog />
    </div>
  );
}

function Home() {
  return (
    <section>
      <h1>Welcome to Ballast</h1>
      <p>Choose a section: your portfolios, the trading desk, research or your own space.</p>
      <p>
        <Link href="/portfolios">Open your portfolios</Link>
      </p>
    </section>
  );
}

export function App() {
  const [error, setError] = useState<string>();
  const [ready, setReady] = useState(false);
  useEffect(() => {
    completeCognitoRedirect()
      .catch((e: unknown) => setError(messageOf(e)))
      .finally(() => setReady(true));
  }, []);
  if (!ready) return <p aria-busy="true">Signing in…</p>;
  if (error) return <SignIn error={error} />;
  return (
    <Router hook={useHashLocation}>
      <Shell />
    </Router>
  );
}
