import type { operations } from '@ballast/client/index.js';
import { type BallastClient, createBallastClient, type Middleware, type Problem } from '@ballast/client/index.js';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { getSession, stepUp } from './auth/session';
import { apiOrigin } from './config';

/** A refusal of the API, carrying its Problem Details (RFC 9457); the console shows its `detail`. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> & { detail?: string; code?: string; title?: string },
  ) {
    super(problem.detail ?? problem.title ?? `The API answered ${status}`);
  }
}

// --- the current project (sent as X-Project-Id) ---------------------------------------------------

let projectId: string | undefined;
const projectListeners = new Set<() => void>();
export function setProject(id: string | undefined) {
  projectId = id;
  for (const l of projectListeners) l();
}
export function useProject(): string | undefined {
  return useSyncExternalStore(
    (l) => {
      projectListeners.add(l);
      return () => projectListeners.delete(l);
    },
    () => projectId,
  );
}

// --- the fresh-login prompt -------------------------------------------------------------------------

type Pending = { resolve: () => void; reject: (e: Error) => void };
let pendingStepUp: Pending | undefined;
const stepUpListeners = new Set<() => void>();
function announce() {
  for (const l of stepUpListeners) l();
}
/** True while an action waits for the user to confirm a fresh login (the dialog reads it). */
export function useStepUpPending(): boolean {
  return useSyncExternalStore(
    (l) => {
      stepUpListeners.add(l);
      return () => stepUpListeners.delete(l);
    },
    () => pendingStepUp !== undefined,
  );
}
export async function confirmStepUp(): Promise<void> {
  const p = pendingStepUp;
  pendingStepUp = undefined;
  announce();
  try {
    await stepUp();
    p?.resolve();
  } catch (e) {
    p?.reject(e as Error);
  }
}
export function cancelStepUp() {
  const p = pendingStepUp;
  pendingStepUp = undefined;
  announce();
  p?.reject(new Error('A fresh sign-in is needed for this action; it was cancelled'));
}
function askForStepUp(): Promise<void> {
  return new Promise((resolve, reject) => {
    pendingStepUp = { resolve, reject };
    announce();
  });
}

const FRESH_LOGIN_CHALLENGE = /insufficient_user_authentication/;

/**
 * Credentials and project on every call, and the RFC 9470 step-up: a 401 whose `WWW-Authenticate`
 * asks for a fresh login opens the prompt, and once the user has signed in again the same request is
 * sent once more with the new token (the copy kept before it was first sent).
 */
const sessionMiddleware: Middleware = (() => {
  const copies = new Map<string, Request>();
  return {
    onRequest({ request, id }) {
      const session = getSession();
      if (session) request.headers.set('Authorization', `Bearer ${session.accessToken}`);
      if (projectId && !request.headers.has('X-Project-Id')) request.headers.set('X-Project-Id', projectId);
      copies.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const copy = copies.get(id);
      copies.delete(id);
      const challenge = response.headers.get('WWW-Authenticate') ?? '';
      if (response.status !== 401 || !FRESH_LOGIN_CHALLENGE.test(challenge) || !copy) return response;
      await askForStepUp();
      const session = getSession();
      if (session) copy.headers.set('Authorization', `Bearer ${session.accessToken}`);
      return fetch(copy);
    },
  };
})();

export const api: BallastClient = createBallastClient({ baseUrl: apiOrigin });
api.use(sessionMiddleware);

/** The data of an answer, or a ProblemError with the API's Problem Details. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const problem = (typeof result.error === 'object' && result.error !== null ? result.error : {}) as Partial<Problem>;
    throw new ProblemError(result.response.status, problem);
  }
  return result.data as T;
}

export function messageOf(e: unknown): string {
  if (e instanceof ProblemError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Loads on mount and whenever `deps` change; `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const run = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState({ error, loading: false });
    }
  }, deps);
  useEffect(() => {
    void run();
  }, [run]);
  return { ...state, reload: run };
}

/** A random Idempotency-Key for one user action (a retry of the same action reuses it). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/**
 * The JSON body an operation answers with a status (the generated types, by route id):
 * `Body<'portfolios.get'>` is a portfolio.
 */
export type Body<Op extends keyof operations, Status extends number = 200> = JsonOf<
  operations[Op]['responses'] extends Record<Status, infer R> ? R : never
>;
