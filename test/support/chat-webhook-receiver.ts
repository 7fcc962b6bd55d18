// A local chat service for tests, over HTTP on a loopback port: takes Slack- and Mattermost-style
// incoming webhooks (`POST /hooks/<name>` with {"text"}) and Matrix's client-server send
// (`PUT /_matrix/client/v3/rooms/<room>/send/m.room.message/<txnId>`, bearer token checked,
// transaction ids deduplicated as a homeserver does). It records what a channel would show.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PostedMessage {
  /** `hooks/<name>` or `matrix/<roomId>`. */
  where: string;
  text: string;
  txnId: string | null;
}

export interface ChatWebhookReceiver {
  url: string;
  /** What each channel shows, in order (a Matrix resend with a known txnId is not shown again). */
  posted: PostedMessage[];
  /** Every request, including refused and repeated ones. */
  requests: { method: string; path: string; body: unknown }[];
  /** The next `count` requests are answered with `status` (and not posted). */
  failNext(count: number, status: number): void;
  /** The next `count` requests are posted but answered only after `ms` (a slow or stuck service). */
  delayNext(count: number, ms: number): void;
  close(): Promise<void>;
}

export const MATRIX_TOKEN = 'syt_test_matrix_token';

export async function startChatWebhookReceiver(): Promise<ChatWebhookReceiver> {
  const posted: PostedMessage[] = [];
  const requests: ChatWebhookReceiver['requests'] = [];
  const txns = new Map<string, string>();
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let delays: { count: number; ms: number } = { count: 0, ms: 0 };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      /* kept as text */
    }
    const path = decodeURIComponent(req.url ?? '');
    requests.push({ method: req.method ?? '', path, body });
    if (failures.count > 0) {
      failures.count--;
      return answer(res, failures.status, { error: 'test failure' });
    }
    let delayMs = 0;
    if (delays.count > 0) {
      delays.count--;
      delayMs = delays.ms;
    }
    const hook = /^\/hooks\/([\w-]+)$/.exec(path);
    const matrix = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/m\.room\.message\/([^/]+)$/.exec(path);
    let reply: [number, unknown];
    if (hook && req.method === 'POST') {
      const text = (body as { text?: unknown }).text;
      if (typeof text !== 'string') reply = [400, 'invalid_payload'];
      else {
        posted.push({ where: `hooks/${hook[1]}`, text, txnId: null });
        reply = [200, 'ok'];
      }
    } else if (matrix && req.method === 'PUT') {
      const [, room, txnId] = matrix;
      const b = body as { msgtype?: unknown; body?: unknown };
      if (req.headers.authorization !== `Bearer ${MATRIX_TOKEN}`)
        reply = [401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token' }];
      else if (typeof b.body !== 'string' || typeof b.msgtype !== 'string')
        reply = [400, { errcode: 'M_BAD_JSON', error: 'body and msgtype needed' }];
      else {
        const known = txns.get(`${room}/${txnId}`);
        const eventId = known ?? `$event${txns.size + 1}`;
        if (!known) {
          txns.set(`${room}/${txnId}`, eventId);
          posted.push({ where: `matrix/${room}`, text: b.body, txnId: txnId! });
        }
        reply = [200, { event_id: eventId }];
      }
    } else reply = [404, 'not found'];
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (!res.destroyed) answer(res, reply[0], reply[1]);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500, 'receiver error'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posted,
    requests,
    failNext(count, status) {
      failures = { count, status };
    },
    delayNext(count, ms) {
      delays = { count, ms };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
