import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Below this an answer is sent as it is: compressing would cost more than it saves. */
const MIN_BYTES = 1024;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * The encoding a request accepts that Klaxon compresses with: brotli before gzip (smaller JSON),
 * none for `identity`, a `q=0` or no header. Exported for the event stream, which offers gzip only.
 */
export function acceptedEncodings(request: FastifyRequest): Set<'br' | 'gzip'> {
  const header = request.headers['accept-encoding'];
  const accepted = new Set<'br' | 'gzip'>();
  if (typeof header !== 'string') return accepted;
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (q && Number(q[1]) === 0) continue;
    if (name === 'br' || name === 'gzip') accepted.add(name);
  }
  return accepted;
}

/**
 * Compresses JSON answers of 1 KB or more for clients that ask (every browser does): the incident
 * list of a storm (hundreds of incidents) shrinks about ten times. Runs on the thread pool
 * (asynchronous zlib), so a large answer does not hold the event loop. Static files and the event
 * stream are left alone (the stream compresses itself: live/event-stream.ts).
 */
export function registerCompression(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    if (reply.hasHeader('content-encoding')) return payload;
    if (!/^application\/json/i.test(String(reply.getHeader('content-type') ?? ''))) return payload;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (body.length < MIN_BYTES) return payload;
    const accepted = acceptedEncodings(request);
    reply.header('vary', 'accept-encoding');
    const encoding = accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
    if (!encoding) return payload;
    const compressed =
      encoding === 'br'
        ? // Quality 5: most of brotli's gain on JSON at a few milliseconds for 150 KB.
          await brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
        : await gzip(body, { level: 6 });
    reply.header('content-encoding', encoding);
    reply.removeHeader('content-length');
    return compressed;
  });
}
