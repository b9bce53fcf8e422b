// Building blocks of parameter schemas (strategy parameters, backtest settings).
import * as z from 'zod/mini';

/**
 * A settable parameter: its schema, the value an absent key takes, and what it means. Every
 * parameter carries a description so a form or an OpenAPI document (`z.toJSONSchema`) can be
 * built from the schema alone.
 */
export function param<T extends z.ZodMiniType>(
  schema: T,
  fallback: z.core.util.NoUndefined<z.output<T>>,
  description: string,
): z.ZodMiniDefault<T> {
  return z._default(schema, fallback).check(z.describe(description));
}

/** A finite number in [min, max]. */
export function numberBetween(min: number, max: number): z.ZodMiniNumber<number> {
  return z.number().check(z.gte(min), z.lte(max));
}

/** A safe integer in [min, max]. */
export function integerBetween(min: number, max: number): z.ZodMiniInt {
  return z.int().check(z.gte(min), z.lte(max));
}
