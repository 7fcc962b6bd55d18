import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { shownFieldName } from '#common/index.js';
import { HttpError } from './errors.js';

/** Keys that would reach an object's prototype if the body were ever merged into another object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const NOT_JSON = 'The request body is not valid JSON.';

/** The dotted path of the first prototype key anywhere in a parsed body, or null. */
function prototypeKeyPath(value: unknown, path: string[] = []): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(k)) return [...path, k].join('.');
    const inner = prototypeKeyPath(v, [...path, k]);
    if (inner) return inner;
  }
  return null;
}

/**
 * The one JSON body parser. Fastify's own decodes invalid UTF-8 into U+FFFD (the server would
 * store text nobody typed) and answers a `__proto__` or `constructor` key with "not valid JSON".
 * Here bytes that are not UTF-8 are refused as such; the body is parsed with `JSON.parse`, which
 * makes `__proto__` an ordinary own key (no prototype is touched), and such a key anywhere is
 * refused as an unknown field, named (shortened like every field name an answer repeats).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    if (!isUtf8(body))
      return done(
        new HttpError(400, 'invalid_request', 'The request body is not valid UTF-8 text. Send JSON encoded as UTF-8.'),
      );
    // A leading byte-order mark is allowed, as Fastify's parser allowed it.
    const text = body.toString('utf8').replace(/^\uFEFF/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return done(new HttpError(400, 'invalid_request', NOT_JSON));
    }
    const key = prototypeKeyPath(parsed);
    if (key !== null) {
      const field = shownFieldName(key);
      return done(new HttpError(400, 'invalid_request', `Unknown field "${field}".`, { field }));
    }
    done(null, parsed);
  });
}
