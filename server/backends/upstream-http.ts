import http from 'node:http';
import https from 'node:https';

/** A complete HTTP exchange with On-Call: status, headers and the whole body as text. */
export interface UpstreamResponse {
  status: number;
  ok: boolean;
  header(name: string): string | null;
  text: string;
}

/** Thrown when the whole exchange took longer than allowed (named like fetch's timeout error). */
class UpstreamTimeout extends Error {
  override readonly name = 'TimeoutError';
}

// Keep-alive: the poller, the on-call cache and page delivery talk to the same two hosts all day.
// Idle sockets are closed after a few seconds, before On-Call's side would close them under us.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16, timeout: 4000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16, timeout: 4000 }),
};

/**
 * One request to On-Call over `node:http(s)` with keep-alive. Not fetch: on the delivery path fetch
 * costs about half a millisecond of CPU per request more, on the event loop that accepts pages.
 * `timeoutMs` bounds the whole exchange, body included. Network errors are passed on as they come
 * (with their `code`, e.g. ECONNREFUSED); a connection cut before the body ended is ECONNRESET.
 */
export function upstreamRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number },
): Promise<UpstreamResponse> {
  const target = new URL(url);
  const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
  const request = target.protocol === 'https:' ? https.request : http.request;
  const headers =
    init.body === undefined
      ? init.headers
      : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new UpstreamTimeout(`no complete answer within ${init.timeoutMs} ms`)),
      init.timeoutMs,
    );
    const req = request(target, { method: init.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete)
          fail(Object.assign(new Error('the connection was cut before the answer ended'), { code: 'ECONNRESET' }));
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status < 300,
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
          },
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', fail);
    req.end(init.body);
  });
}
