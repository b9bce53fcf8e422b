import type { Backend, RouteHandler } from '@ballast/platform/http/handler.js';
import type { RouteSpec } from '@ballast/platform/http/define-route.js';

/**
 * The control plane's ports. Its records (tenants, projects, members, modes, routing, keys) are
 * the chassis's own — the pipeline reads them on every request — so their stores live in
 * @ballast/platform and are handed through here.
 */
export const controlPorts = (b: Backend) => ({
  tenancy: b.platform.tenancy,
  routing: b.platform.routing,
  registry: b.platform.registry,
  audit: b.platform.audit,
  flags: b.platform.flags,
  /** the due-work index: a tenant's first data route books its archive runs */
  due: b.platform.due,
});

export type ControlPorts = ReturnType<typeof controlPorts>;
export type ControlHandler<D extends RouteSpec> = RouteHandler<D, ControlPorts>;
