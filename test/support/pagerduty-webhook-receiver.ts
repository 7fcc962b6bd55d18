/**
 * A loopback HTTP listener that records PagerDuty v3 webhook deliveries (raw body and headers), and
 * the signature check a receiver must make (docs/pagerduty.md#webhooks-v3): at least one `v1=`
 * signature in `X-PagerDuty-Signature` equals the hex HMAC-SHA256 of the raw body under the secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { event: Record<string, unknown> & { event_type: string; data: Record<string, unknown> } };
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Waits (at most 5 s) until `count` deliveries have arrived. */
  next(count: number): Promise<ReceivedWebhook[]>;
  /** Statuses to answer with, in turn; after the list runs out, 202. */
  answerWith(statuses: number[]): void;
  close(): Promise<void>;
}

export function verifyPagerDutySignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex'));
  return header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .some((s) => {
      const given = Buffer.from(s.slice(3));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: (() => void)[] = [];
  let statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const status = statuses.shift() ?? 202;
      if (status < 300)
        received.push({ headers: req.headers, rawBody, body: JSON.parse(rawBody) as ReceivedWebhook['body'] });
      res.writeHead(status).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pagerduty`,
    received,
    async next(count) {
      const deadline = Date.now() + 5000;
      while (received.length < count && Date.now() < deadline)
        await new Promise<void>((r) => (waiters.push(r), setTimeout(r, 100)));
      return received;
    },
    answerWith(s) {
      statuses = [...s];
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
