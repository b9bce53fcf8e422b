import { describe, expect, it } from 'vitest';
import { cursorKeyFrom, openCursorSeal, sealCursor, type CursorBinding } from './seal.js';

const KEY = cursorKeyFrom('test cursor secret');
const BINDING: CursorBinding = {
  tenantId: 't_demo',
  env: 'dev',
  projectId: 'p_demo',
  principal: 'user:u_admin',
  routeId: 'items.list',
  params: {},
  query: { limit: 1 },
};
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('cursor seals', () => {
  it('only the exact signature text opens a seal: another spelling of the same bytes does not', () => {
    const cursor = sealCursor(KEY, BINDING, 'raw-position', 1_000);
    expect(openCursorSeal(KEY, BINDING, cursor, 1_000)).toBe('raw-position');
    const [payload, signature] = cursor.split('.');
    // a 32-byte MAC is 43 characters whose last carries 2 spare bits: three other letters decode to
    // the very same bytes, and a lenient decoder would take them
    const last = B64URL.indexOf(signature.at(-1) ?? '');
    const spellings = [1, 2, 3].map(
      (spare) => `${signature.slice(0, -1)}${B64URL[(last & ~3) | ((last + spare) & 3)]}`,
    );
    for (const other of spellings) {
      expect(Buffer.from(other, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
      expect(() => openCursorSeal(KEY, BINDING, `${payload}.${other}`, 1_000)).toThrow(/not issued/);
    }
  });
});
