import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StorageUnavailableError } from '../store/storage-unavailable.js';
import type { ErrorReporter } from '../runtime/error-reports.js';
import { errorBody, HttpError } from './errors.js';

/** Whether it was stored is unknown (a commit may have been cut off); the same request again is safe (idempotency key). */
const STORAGE_UNAVAILABLE =
  'The Klaxon server cannot reach its database right now, so this request may not have been saved. Try again in a few seconds (sending the same page again never sends it twice); if a page is urgent, use a fallback contact meanwhile.';

const INTERNAL =
  'Something went wrong on the Klaxon server. Try again; if it keeps happening, tell the Klaxon operator.';

/** Text values of a request body (at most 50): a page's summary and details, blanked out of a report. */
function bodyStrings(body: unknown, out: string[] = [], depth = 0): string[] {
  if (out.length >= 50 || depth > 4) return out;
  if (typeof body === 'string') out.push(body);
  else if (Array.isArray(body)) for (const v of body) bodyStrings(v, out, depth + 1);
  else if (body && typeof body === 'object') for (const v of Object.values(body)) bodyStrings(v, out, depth + 1);
  return out;
}

/** What a report about this request must not contain: the person and what they sent. */
function sensitiveOfRequest(req: FastifyRequest): string[] {
  const v = req.viewer;
  return [...(v ? [v.name, v.email ?? '', v.sub, v.username ?? ''] : []), ...bodyStrings(req.body)].filter(Boolean);
}

/**
 * The one place a failed request becomes the contract's `{ error: … }` body: an HttpError as it
 * says, Fastify's own request errors (body too large, not JSON) in plain words, anything else as a
 * logged (and, with Sentry on, reported) 500. Unknown paths answer 404 unless the web UI takes
 * them (client-side routes).
 */
export function setErrorHandlers(
  app: FastifyInstance,
  webUi: { notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply | null },
  errorReports: Pick<ErrorReporter, 'exception'>,
): void {
  app.setErrorHandler((err: FastifyError | HttpError | StorageUnavailableError, req, reply) => {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
      return reply.code(err.statusCode).send(err.body());
    }
    if (err instanceof StorageUnavailableError) {
      req.log.error({ err: err.message }, 'request failed: storage unreachable');
      return reply.code(503).header('retry-after', '5').send(errorBody('internal', STORAGE_UNAVAILABLE));
    }
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.code(413).send(errorBody('invalid_request', 'The request is too large (at most 64 KB).'));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return reply.code(415).send(errorBody('invalid_request', 'Send the request body as application/json.'));
    if (status === 400 && (err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError)) {
      return reply.code(400).send(errorBody('invalid_request', 'The request body is not valid JSON.'));
    }
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('invalid_request', err.message));
    req.log.error({ err }, 'request failed');
    errorReports.exception(err, {
      where: 'http',
      request: { method: req.method, route: req.routeOptions.url ?? req.url.split('?')[0]! },
      sensitive: sensitiveOfRequest(req),
    });
    return reply.code(500).send(errorBody('internal', INTERNAL));
  });

  app.setNotFoundHandler((req, reply) => {
    const handled = webUi.notFound(req, reply);
    if (handled) return handled;
    return reply.code(404).send(errorBody('not_found', `There is nothing at ${req.method} ${req.url.split('?')[0]}.`));
  });
}
