import { api, type Body } from './api';

export type Theme = Body<'theme.get'>;

const FONTS: Record<string, string> = {
  system: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  inter: 'Inter, system-ui, sans-serif',
  roboto: 'Roboto, system-ui, sans-serif',
  'source-sans': '"Source Sans 3", "Source Sans Pro", system-ui, sans-serif',
  'ibm-plex': '"IBM Plex Sans", system-ui, sans-serif',
  monospace: 'ui-monospace, "SFMono-Regular", Menlo, monospace',
};

/** The user's theme (`/v1/me/theme`) as CSS custom properties on the document: applied live. */
export function applyTheme(theme: Pick<Theme, 'colours' | 'fonts' | 'layout'>): void {
  const root = document.documentElement.style;
  const c = theme.colours;
  root.setProperty('--primary', c.primary);
  root.setProperty('--secondary', c.secondary);
  root.setProperty('--accent', c.accent);
  root.setProperty('--bg', c.background);
  root.setProperty('--surface', c.surface);
  root.setProperty('--text', c.text);
  root.setProperty('--positive', c.positive);
  root.setProperty('--negative', c.negative);
  root.setProperty('--font', FONTS[theme.fonts.family] ?? FONTS.system);
  root.setProperty('--font-size', `${theme.fonts.sizePx}px`);
  root.setProperty('--numbers', theme.fonts.monospaceNumbers ? 'tabular-nums' : 'normal');
  document.documentElement.dataset.density = theme.layout.density;
  document.documentElement.dataset.sidebar = theme.layout.sidebar;
}

/** Reads the signed-in user's theme and applies it; a failure leaves the default look. */
export async function loadTheme(): Promise<void> {
  const { data } = await api.GET('/v1/me/theme');
  if (data) applyTheme(data);
}
