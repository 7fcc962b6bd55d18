/**
 * A stand-in for Sentry's ingestion on loopback: accepts the envelope endpoint
 * (`POST /api/<project>/envelope/`, plain or gzip/deflate/br), parses each envelope (header line,
 * item headers, item payloads, with `length` when given) and keeps everything for the test to read,
 * including the raw bytes, so a scan can look for planted secrets anywhere a real Sentry would see
 * them: the body, the URL and the request headers. Written from Sentry's envelope format
 * (https://develop.sentry.dev/sdk/data-model/envelopes/), not from the SDK's code, so it checks
 * what the SDKs really send.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface EnvelopeItem {
  header: Record<string, unknown>;
  /** The payload parsed as JSON, or its text when it is not JSON (attachments). */
  payload: unknown;
}

export interface ReceivedEnvelope {
  project: string;
  url: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
  /** The decompressed body. */
  body: string;
}

export type SentryEvent = Record<string, unknown> & {
  exception?: { values?: { type?: string; value?: string }[] };
  message?: string;
  tags?: Record<string, string>;
};

export interface SentryReceiver {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** A DSN pointing here: `http://<key>@127.0.0.1:<port>/<project>`. */
  dsn(project?: string): string;
  readonly envelopes: ReceivedEnvelope[];
  /** Requests that were not an envelope for this receiver (wrong path or method): should stay empty. */
  readonly strayRequests: string[];
  /** The payloads of every `event` item received so far. */
  events(): SentryEvent[];
  /** Waits for an event that `match` accepts. */
  waitForEvent(match: (e: SentryEvent) => boolean, timeoutMs?: number): Promise<SentryEvent>;
  /**
   * Which of `secrets` appear in anything received (bodies, URLs, request headers), as they are,
   * JSON-escaped or URL-encoded. The test expects an empty list.
   */
  secretsFound(secrets: readonly string[]): string[];
  close(): Promise<void>;
}

const PUBLIC_KEY = 'klaxontestpublickey';

/** Splits an envelope into its header and items, honouring `length` (bytes) where an item gives it. */
export function parseEnvelope(bytes: Buffer): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  let at = 0;
  const line = () => {
    const end = bytes.indexOf(10, at);
    const stop = end === -1 ? bytes.length : end;
    const text = bytes.subarray(at, stop).toString('utf8');
    at = stop + 1;
    return text;
  };
  const header = JSON.parse(line()) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (at < bytes.length) {
    const headerText = line();
    if (!headerText.trim()) continue;
    const itemHeader = JSON.parse(headerText) as Record<string, unknown>;
    let raw: string;
    if (typeof itemHeader.length === 'number') {
      raw = bytes.subarray(at, at + itemHeader.length).toString('utf8');
      at += itemHeader.length + 1;
    } else raw = line();
    let payload: unknown = raw;
    try {
      payload = JSON.parse(raw);
    } catch {
      // an attachment or other non-JSON payload: kept as text
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const envelopes: ReceivedEnvelope[] = [];
  const strayRequests: string[] = [];
  const waiters = new Set<() => void>();
  const server = createServer(async (req, res) => {
    // The web UI posts from another origin (fetch with keepalive): answer CORS like Sentry does.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', '*');
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const url = req.url ?? '';
    const m = /^\/api\/([^/]+)\/envelope\/(\?|$)/.exec(url);
    if (req.method !== 'POST' || !m) {
      strayRequests.push(`${req.method} ${url}`);
      return res.writeHead(404).end();
    }
    try {
      const body = decode(await readBody(req), req.headers['content-encoding']);
      const { header, items } = parseEnvelope(body);
      envelopes.push({
        project: m[1]!,
        url,
        requestHeaders: { ...req.headers },
        header,
        items,
        body: body.toString('utf8'),
      });
      for (const w of [...waiters]) w();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: header.event_id ?? null }));
    } catch (e) {
      strayRequests.push(`${req.method} ${url}: unparsable envelope (${(e as Error).message})`);
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const events = () =>
    envelopes.flatMap((e) => e.items.filter((i) => i.header.type === 'event').map((i) => i.payload as SentryEvent));

  return {
    origin,
    dsn: (project = '42') => `http://${PUBLIC_KEY}@127.0.0.1:${new URL(origin).port}/${project}`,
    envelopes,
    strayRequests,
    events,
    waitForEvent(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events().find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; received: ${JSON.stringify(events(), null, 1)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    secretsFound(secrets) {
      const seen = envelopes.map((e) => [e.body, e.url, JSON.stringify(e.requestHeaders)].join('\n')).join('\n');
      return secrets.filter(
        (s) =>
          s.length > 0 &&
          [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)].some((form) => seen.includes(form)),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
