import { ALL_ROUTES } from '@ballast/app/routes.js';
import type { RouteDef } from '@ballast/platform/http/define-route.js';

interface Compiled {
  def: RouteDef;
  re: RegExp;
  names: string[];
}

const compiled: Compiled[] = ALL_ROUTES.map((def) => {
  const names: string[] = [];
  const re = new RegExp(
    `^${def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([A-Za-z]+)\\?\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  return { def, re, names };
});

export type Match = { def: RouteDef; params: Record<string, string> } | { methodNotAllowed: string[] } | null;

/** Matches a request against the route table, as API Gateway would. */
export function match(method: string, path: string): Match {
  const allowed: string[] = [];
  for (const c of compiled) {
    const m = c.re.exec(path);
    if (!m) continue;
    if (c.def.method !== method) {
      allowed.push(c.def.method);
      continue;
    }
    const params: Record<string, string> = {};
    c.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1]);
    });
    return { def: c.def, params };
  }
  return allowed.length ? { methodNotAllowed: allowed } : null;
}
