import type * as z from 'zod/mini';

/**
 * A schema built on first use. A Lambda imports its whole context's routes module, but validates
 * one route: building every route's request and response schemas at import cost a control-plane
 * function ~15 ms of its cold start. Declared lazily, a function builds only its own route's.
 */
export interface LazySchema<S extends z.ZodMiniType> {
  (): S;
  readonly lazySchema: true;
}

/** What a route or job declares: a schema, or a lazy one. */
export type SchemaRef = z.ZodMiniType | LazySchema<z.ZodMiniType>;

export type Resolved<R> = R extends LazySchema<infer S> ? S : R;

export function lazy<S extends z.ZodMiniType>(build: () => S): LazySchema<S> {
  let built: S | undefined;
  const get = () => {
    built ??= build();
    return built;
  };
  return Object.assign(get, { lazySchema: true as const });
}

export function resolveSchema<R extends SchemaRef>(ref: R): Resolved<R> {
  return (typeof ref === 'function' ? ref() : ref) as Resolved<R>;
}
