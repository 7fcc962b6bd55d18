import { createHash } from 'node:crypto';
import type { WebhookChannelConfig } from '../config/index.js';
import type { Announcement } from '../store/store.js';
import type { ChatChannel, SendResult } from './chat-channel.js';

/** Errors that happen before a request is written: the message certainly did not go out. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The Matrix transaction id of an announcement: the same for every attempt, so a resend is deduplicated. */
export function matrixTxnId(a: Pick<Announcement, 'channel' | 'key'>): string {
  return `klaxon-${createHash('sha256').update(`${a.channel}\n${a.key}`).digest('hex').slice(0, 32)}`;
}

/**
 * Posts announcements over HTTP:
 * - `slack` and `mattermost`: an incoming webhook, `POST {"text": …}` (both take this shape);
 * - `matrix`: the client-server API, `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`
 *   with the access token, as an `m.notice` (the message type meant for bots).
 *
 * Incoming webhooks cannot deduplicate, so for them a request that may have reached the service (a
 * timeout or a broken connection after it was written) is `unknown` and never repeated. Matrix
 * deduplicates by transaction id (the same one for every attempt), so it is resent safely.
 */
export class WebhookChannel implements ChatChannel {
  readonly resendSafe: boolean;

  constructor(private readonly config: WebhookChannelConfig) {
    this.resendSafe = config.type === 'matrix';
  }

  get name(): string {
    return this.config.name;
  }

  ready(): boolean {
    return true;
  }

  start(): void {}

  async stop(): Promise<void> {}

  async send(a: Announcement, timeoutMs: number): Promise<SendResult> {
    const c = this.config;
    const request: { url: string; method: string; headers: Record<string, string>; body: string } =
      c.type === 'matrix'
        ? {
            url: `${c.url.replace(/\/+$/, '')}/_matrix/client/v3/rooms/${encodeURIComponent(c.roomId ?? '')}/send/m.room.message/${matrixTxnId(a)}`,
            method: 'PUT',
            headers: { authorization: `Bearer ${c.accessToken ?? ''}`, 'content-type': 'application/json' },
            body: JSON.stringify({ msgtype: 'm.notice', body: a.text }),
          }
        : {
            url: c.url,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text: a.text }),
          };
    let res: Response;
    try {
      res = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const code = err.cause?.code ?? err.name;
      if (code && NOT_CONNECTED.has(code))
        return { kind: 'not_sent', error: `${c.type} webhook unreachable (${code})` };
      const why =
        err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${code ?? ''} ${err.message}`.trim();
      return { kind: 'unknown', error: `${c.type} webhook: ${why}` };
    }
    // Read the answer so the connection can be reused; its text helps the log.
    const text = (await res.text().catch(() => '')).slice(0, 200);
    if (res.ok) return { kind: 'sent' };
    // An error answer means the service did not post it (Slack, Mattermost and Matrix answer errors before posting).
    return { kind: 'not_sent', error: `${c.type} webhook answered HTTP ${res.status}${text ? `: ${text}` : ''}` };
  }
}
