import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidCursor } from '../../../data/cursor.js';

/** How long a cursor may be used after the page that handed it out (seconds). */
export const CURSOR_TTL_SECONDS = 24 * 3600;

/** Everything a cursor is bound to: who asked, where, on which route, for which query. */
export interface CursorBinding {
  tenantId: string;
  env: string;
  projectId: string | undefined;
  /** principal kind and id (`principalKey`) */
  principal: string;
  routeId: string;
  params: Record<string, unknown>;
  /** every query parameter but the cursor, as validated (defaults applied) */
  query: Record<string, unknown>;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** JSON with object keys sorted at every depth: one spelling per value, so one MAC. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function mac(key: Uint8Array, binding: CursorBinding, payload: string): Buffer {
  return createHmac('sha256', key)
    .update(`ballast.cursor.v1\n${canonical(binding)}\n${payload}`)
    .digest();
}

/** The HMAC key of cursors, derived from the secret's value (so the secret is used for this alone). */
export function cursorKeyFrom(secretValue: string): Buffer {
  return createHmac('sha256', secretValue).update('ballast/cursor-signing-key/v1').digest();
}

/**
 * Wraps a store's raw resume point into the opaque cursor a client sees:
 * `<payload>.<HMAC-SHA256 of binding and payload>`, the payload carrying the resume point and expiry.
 */
export function sealCursor(key: Uint8Array, binding: CursorBinding, raw: string, nowSeconds: number): string {
  const payload = Buffer.from(JSON.stringify({ p: raw, x: nowSeconds + CURSOR_TTL_SECONDS }), 'utf8').toString(
    'base64url',
  );
  return `${payload}.${mac(key, binding, payload).toString('base64url')}`;
}

/**
 * The raw resume point a cursor holds, once its signature proves it was handed out for exactly this
 * binding (this tenant, env, project, principal, route, path and query) and it has not expired.
 * Anything else — tampered, forged, another caller's, route's or filter's — → 400 INVALID_CURSOR.
 */
export function openCursorSeal(key: Uint8Array, binding: CursorBinding, cursor: string, nowSeconds: number): string {
  const parts = cursor.split('.');
  if (parts.length !== 2 || !B64URL.test(parts[0]) || !B64URL.test(parts[1])) throw invalidCursor('is malformed');
  const [payload, sent] = parts;
  // compared as the canonical text, not as decoded bytes: base64url's last character carries spare
  // bits a lenient decoder ignores, so another spelling of the same signature must not pass
  const expected = Buffer.from(mac(key, binding, payload).toString('base64url'));
  const presented = Buffer.from(sent);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw invalidCursor('was not issued for this list, caller and query');
  }
  let opened: unknown;
  try {
    opened = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('is malformed');
  }
  const fields = (typeof opened === 'object' && opened !== null ? opened : {}) as Record<string, unknown>;
  if (typeof fields.p !== 'string' || typeof fields.x !== 'number') throw invalidCursor('is malformed');
  if (fields.x <= nowSeconds) throw invalidCursor('has expired: start the list again');
  return fields.p;
}
