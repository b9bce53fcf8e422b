// zod/mini: the same validator with a functional API, a third of the bundle of classic zod and
// cheaper to construct at cold start (every Lambda evaluates its context's schemas on import).
// One flavour across core, platform and app.
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';
import { ENVS, MODES, ROLES, TIERS } from '../context/types.js';

// English messages only: `z.locales` would bundle every language.
z.config(en());

/** Tenant and project ids: the one id rule (headers, paths, bodies, stacks' silo names). */
export const ID_PATTERN = /^[a-z][a-z0-9_]{1,62}$/;
const ID_MESSAGE = 'must be lowercase letters, digits or _ (2-63 chars), starting with a letter';

export const boundedString = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

export const tenantId = z.string().check(z.regex(ID_PATTERN, ID_MESSAGE));
export const projectId = tenantId;
export const userId = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.@:-]+$/, 'has characters that are not allowed'));
export const tier = z.enum(TIERS);
export const role = z.enum(ROLES);
export const env = z.enum(ENVS);
export const modeName = z.enum(MODES);
export const isoTime = z.iso.datetime();
export const integer = z.number().check(z.refine(Number.isInteger, 'must be an integer'));

/** `?limit=&cursor=` on every list (DESIGN.md "HTTP conventions"). */
export const listQuery = z.strictObject({
  limit: z._default(
    z.coerce.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gte(1), z.lte(200)),
    50,
  ),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
});

/** The response shape of every list: `{ items, nextCursor }`. */
export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });

/** Routes that take no body still accept an empty JSON object. */
export const emptyBody = z.optional(z.strictObject({}));
