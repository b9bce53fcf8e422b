import { type FormEvent, type ReactNode, useState } from 'react';
import { api, type Body, ProblemError, unwrap, useLoad } from '../api';
import { ProblemView } from '../components/ProblemView';
import { useAction } from '../components/useAction';
import { applyTheme } from '../theme';
import './Preferences.css';

type Prefs = Body<'preferences.get'>;
type PrefsDoc = Omit<Prefs, 'version' | 'updatedAt'>;
type Theme = Body<'theme.get'>;
type ThemeDoc = Omit<Theme, 'version' | 'updatedAt'>;
type EventKind = keyof Prefs['notifications'];
type Channel = keyof Prefs['notifications'][EventKind];

const EVENT_KINDS: Array<[EventKind, string]> = [
  ['watchlist.alert', 'Watchlist alerts'],
  ['risk.halt', 'Risk halts'],
  ['schedule.failed', 'Failed scheduled runs'],
];
const CHANNELS: Array<[Channel, string]> = [
  ['email', 'E-mail'],
  ['push', 'Push'],
  ['sms', 'SMS'],
];
const COLOURS: Array<[keyof Theme['colours'], string]> = [
  ['primary', 'Primary'],
  ['secondary', 'Secondary'],
  ['accent', 'Accent'],
  ['background', 'Background'],
  ['surface', 'Surface'],
  ['text', 'Text'],
  ['positive', 'Positive'],
  ['negative', 'Negative'],
];
const FONT_FAMILIES: Array<[Theme['fonts']['family'], string]> = [
  ['system', 'System'],
  ['inter', 'Inter'],
  ['roboto', 'Roboto'],
  ['source-sans', 'Source Sans'],
  ['ibm-plex', 'IBM Plex Sans'],
  ['monospace', 'Monospace'],
];

/** The API takes `#rgb` too; a colour input only shows `#rrggbb`. */
function sixDigits(hex: string): string {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(hex);
  return (short ? `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}` : hex).toLowerCase();
}

/** The document as PUT takes it: everything but `version` and `updatedAt` (unknown fields are a 400). */
function withoutVersion<T extends { version: number; updatedAt: string | null }>(
  doc: T,
): Omit<T, 'version' | 'updatedAt'> {
  const { version: _v, updatedAt: _u, ...rest } = doc;
  return rest;
}

/**
 * A versioned document's save: If-Match with the version read; a 412 (someone saved since) shows its
 * detail and reads the document again, so the form starts over from what is stored now.
 */
function useVersionedSave(reload: () => Promise<void>) {
  const { busy, run, feedback } = useAction(async (e) => {
    if (!(e instanceof ProblemError && e.status === 412)) return '';
    await reload();
    return 'Reloaded the version stored now.';
  });
  return { busy, save: (work: () => Promise<string>) => run('Saving…', work), feedback };
}

// --- preferences ---------------------------------------------------------------------------------

function PreferencesForm(props: {
  initial: PrefsDoc;
  busy: boolean;
  onSave: (doc: PrefsDoc) => void;
  feedback: ReactNode;
}) {
  const [doc, setDoc] = useState<PrefsDoc>(props.initial);
  const display = (patch: Partial<PrefsDoc['display']>) => setDoc({ ...doc, display: { ...doc.display, ...patch } });
  const data = (patch: Partial<PrefsDoc['data']>) => setDoc({ ...doc, data: { ...doc.data, ...patch } });
  const trading = (patch: Partial<PrefsDoc['trading']>) => setDoc({ ...doc, trading: { ...doc.trading, ...patch } });
  const channel = (kind: EventKind, ch: Channel, on: boolean) =>
    setDoc({ ...doc, notifications: { ...doc.notifications, [kind]: { ...doc.notifications[kind], [ch]: on } } });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSave(doc);
  };
  return (
    <form aria-label="Preferences" onSubmit={submit}>
      <fieldset>
        <legend>Display</legend>
        <label>
          Theme
          <select
            value={doc.display.theme}
            onChange={(e) => display({ theme: e.target.value as PrefsDoc['display']['theme'] })}
          >
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <label>
          Language (BCP 47, e.g. en-GB)
          <input required value={doc.display.language} onChange={(e) => display({ language: e.target.value })} />
        </label>
        <label>
          Time zone (IANA, e.g. Europe/London)
          <input
            required
            list="time-zones"
            value={doc.display.timezone}
            onChange={(e) => display({ timezone: e.target.value })}
          />
        </label>
        <datalist id="time-zones">
          {Intl.supportedValuesOf('timeZone').map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <label>
          Chart type
          <select
            value={doc.display.chartType}
            onChange={(e) => display({ chartType: e.target.value as PrefsDoc['display']['chartType'] })}
          >
            <option value="candlestick">Candlestick</option>
            <option value="line">Line</option>
            <option value="area">Area</option>
            <option value="bar">Bar</option>
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>Data</legend>
        <label>
          Refresh every (seconds, 5–3600)
          <input
            type="number"
            required
            min={5}
            max={3600}
            value={doc.data.refreshIntervalSeconds}
            onChange={(e) => data({ refreshIntervalSeconds: Number(e.target.value) })}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={doc.data.realTime} onChange={(e) => data({ realTime: e.target.checked })} />
          Real-time prices where available
        </label>
      </fieldset>
      <fieldset>
        <legend>Notifications</legend>
        <table className="channels">
          <caption>How each kind of event reaches you</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              {CHANNELS.map(([ch, label]) => (
                <th key={ch} scope="col">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {EVENT_KINDS.map(([kind, kindLabel]) => (
              <tr key={kind}>
                <th scope="row">{kindLabel}</th>
                {CHANNELS.map(([ch, label]) => (
                  <td key={ch}>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={doc.notifications[kind][ch]}
                        onChange={(e) => channel(kind, ch, e.target.checked)}
                      />
                      <span className="sr-only">
                        {kindLabel} by {label}
                      </span>
                    </label>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <fieldset>
        <legend>Trading defaults</legend>
        <label>
          Default order type
          <select
            value={doc.trading.defaultOrderType}
            onChange={(e) => trading({ defaultOrderType: e.target.value as PrefsDoc['trading']['defaultOrderType'] })}
          >
            <option value="market">Market</option>
            <option value="limit">Limit</option>
            <option value="stop">Stop</option>
            <option value="stop-limit">Stop-limit</option>
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={doc.trading.confirmOrders}
            onChange={(e) => trading({ confirmOrders: e.target.checked })}
          />
          Ask me to confirm each order
        </label>
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={props.busy}>
          Save preferences
        </button>
      </div>
      {props.feedback}
    </form>
  );
}

function PreferencesSection() {
  const prefs = useLoad(async () => unwrap(await api.GET('/v1/me/preferences')), []);
  const { busy, save, feedback } = useVersionedSave(prefs.reload);
  const p = prefs.data;
  const onSave = (doc: PrefsDoc) => {
    if (!p) return;
    void save(async () => {
      const saved = unwrap(
        await api.PUT('/v1/me/preferences', { params: { header: { 'If-Match': String(p.version) } }, body: doc }),
      );
      await prefs.reload();
      return `Saved (version ${saved.version}).`;
    });
  };
  return (
    <section aria-labelledby="preferences">
      <h2 id="preferences">Display, data, notifications and trading</h2>
      {!p ? <ProblemView error={prefs.error} /> : null}
      {p ? (
        // a new version (saved here or found by a 412) starts the form from what is stored
        <PreferencesForm key={p.version} initial={withoutVersion(p)} busy={busy} onSave={onSave} feedback={feedback} />
      ) : prefs.error ? null : (
        <p aria-busy="true">Loading your preferences…</p>
      )}
    </section>
  );
}

// --- theme ---------------------------------------------------------------------------------------

function ThemeForm(props: { initial: ThemeDoc; busy: boolean; onSave: (doc: ThemeDoc) => void; feedback: ReactNode }) {
  const [doc, setDoc] = useState<ThemeDoc>(props.initial);
  const colour = (k: keyof ThemeDoc['colours'], v: string) => setDoc({ ...doc, colours: { ...doc.colours, [k]: v } });
  const fonts = (patch: Partial<ThemeDoc['fonts']>) => setDoc({ ...doc, fonts: { ...doc.fonts, ...patch } });
  const layout = (patch: Partial<ThemeDoc['layout']>) => setDoc({ ...doc, layout: { ...doc.layout, ...patch } });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSave(doc);
  };
  return (
    <form aria-label="Theme" onSubmit={submit}>
      <fieldset>
        <legend>Colours</legend>
        <div className="colours">
          {COLOURS.map(([k, label]) => (
            <label key={k}>
              {label} colour
              <input type="color" value={sixDigits(doc.colours[k])} onChange={(e) => colour(k, e.target.value)} />
              <span className="colour-code">{sixDigits(doc.colours[k])}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Fonts</legend>
        <label>
          Font family
          <select
            value={doc.fonts.family}
            onChange={(e) => fonts({ family: e.target.value as ThemeDoc['fonts']['family'] })}
          >
            {FONT_FAMILIES.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Font size (pixels)
          <input
            type="number"
            required
            min={10}
            max={24}
            value={doc.fonts.sizePx}
            onChange={(e) => fonts({ sizePx: Number(e.target.value) })}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={doc.fonts.monospaceNumbers}
            onChange={(e) => fonts({ monospaceNumbers: e.target.checked })}
          />
          Numbers in equal widths
        </label>
      </fieldset>
      <fieldset>
        <legend>Layout</legend>
        <label>
          Density
          <select
            value={doc.layout.density}
            onChange={(e) => layout({ density: e.target.value as ThemeDoc['layout']['density'] })}
          >
            <option value="compact">Compact</option>
            <option value="comfortable">Comfortable</option>
            <option value="spacious">Spacious</option>
          </select>
        </label>
        <label>
          Sections menu
          <select
            value={doc.layout.sidebar}
            onChange={(e) => layout({ sidebar: e.target.value as ThemeDoc['layout']['sidebar'] })}
          >
            <option value="left">On the left</option>
            <option value="right">On the right</option>
            <option value="hidden">Hidden</option>
          </select>
        </label>
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={props.busy}>
          Save theme
        </button>
      </div>
      {props.feedback}
    </form>
  );
}

function ThemeSection() {
  const theme = useLoad(async () => unwrap(await api.GET('/v1/me/theme')), []);
  const { busy, save, feedback } = useVersionedSave(theme.reload);
  const t = theme.data;
  const onSave = (doc: ThemeDoc) => {
    if (!t) return;
    void save(async () => {
      const saved = unwrap(
        await api.PUT('/v1/me/theme', { params: { header: { 'If-Match': String(t.version) } }, body: doc }),
      );
      // the console takes the stored theme at once: no reload needed
      applyTheme(saved);
      await theme.reload();
      return `Saved and applied (version ${saved.version}).`;
    });
  };
  return (
    <section aria-labelledby="theme">
      <h2 id="theme">Theme</h2>
      {!t ? <ProblemView error={theme.error} /> : null}
      {t ? (
        <ThemeForm key={t.version} initial={withoutVersion(t)} busy={busy} onSave={onSave} feedback={feedback} />
      ) : theme.error ? null : (
        <p aria-busy="true">Loading your theme…</p>
      )}
    </section>
  );
}

/** The user's own settings (`/v1/me/preferences`, `/v1/me/theme`), each saved against the version read. */
export function Preferences() {
  return (
    <div className="preferences">
      <h1>Preferences</h1>
      <PreferencesSection />
      <ThemeSection />
    </div>
  );
}
