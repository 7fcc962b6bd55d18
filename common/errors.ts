import { z } from 'zod/mini';

export const ErrorCode = z.enum([
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'upstream_unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Every non-2xx JSON answer of the Klaxon server has this shape. */
export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: ErrorCode,
    /** A sentence a person can act on. */
    message: z.string(),
    /** The offending request field (dotted path), for validation errors. */
    field: z.optional(z.string()),
    /** For `rate_limited`: seconds until another request may succeed. */
    retryAfterSeconds: z.optional(z.number()),
    /** For `forbidden`: the groups that would grant access. */
    requiredGroups: z.optional(z.array(z.string())),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Longest field name an answer repeats: a request may name a field of any length. */
const FIELD_NAME_MAX = 64;

/** The field name as an answer may repeat it: at most FIELD_NAME_MAX characters, then "…". */
export function shownFieldName(name: string): string {
  const chars = [...name];
  return chars.length > FIELD_NAME_MAX ? `${chars.slice(0, FIELD_NAME_MAX).join('')}…` : name;
}

/** Turns a zod failure into the error body, naming the first offending field. */
export function validationError(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
): ErrorBody {
  const first = issues[0];
  if (!first) return { error: { code: 'invalid_request', message: 'Invalid request.' } };
  const unknownKey = first.code === 'unrecognized_keys' && first.keys?.[0];
  const path = shownFieldName([...first.path.map(String), ...(unknownKey ? [unknownKey] : [])].join('.'));
  const message = unknownKey
    ? `Unknown field "${path}".`
    : path && !first.message.startsWith(path.split('.').pop() ?? '')
      ? `${path}: ${first.message}`
      : first.message;
  return { error: { code: 'invalid_request', message, ...(path ? { field: path } : {}) } };
}
