import { ServerEvent } from '#common/index.js';
import http from 'node:http';

/**
 * An SSE client that behaves as Klaxon's clients do: when its stream ends it reconnects (here at
 * once, through whatever address it was given, typically the load balancer) with `Last-Event-ID`.
 * It records every event, every reconnect, whether a reconnect was answered by a replay or by a
 * fresh snapshot, and the longest stretch without any event.
 */
export class ResumingSseClient {
  readonly events: ServerEvent[] = [];
  /** One entry per connection after the first: did the server replay (true) or send a snapshot (false)? */
  readonly resumes: { replayed: boolean; lastEventId: string }[] = [];
  private lastId: string | null = null;
  private req: http.ClientRequest | null = null;
  private closed = false;
  private connections = 0;
  /** When each event arrived (epoch ms), in order. */
  readonly arrivals: number[] = [];
  private waiters = new Set<() => void>();

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve) => {
      this.connect(resolve);
    });
  }

  /** The longest time (ms) between `from` and `to` in which no event arrived, reconnects included. */
  longestSilence(from: number, to: number): number {
    let last = from;
    let longest = 0;
    for (const t of this.arrivals) {
      if (t < from) continue;
      if (t > to) break;
      longest = Math.max(longest, t - last);
      last = t;
    }
    return Math.max(longest, to - last);
  }

  /** Titles of the incidents the client currently shows (folded from snapshots and incident events). */
  incidentTitles(): Set<string> {
    const shown = new Map<string, string>();
    for (const e of this.events) {
      if (e.type === 'snapshot') {
        shown.clear();
        for (const i of e.data.incidents.incidents) shown.set(i.number, i.title);
      } else if (e.type === 'incident') {
        if (e.data.change === 'removed') shown.delete(e.data.incident.number);
        else shown.set(e.data.incident.number, e.data.incident.title);
      }
    }
    return new Set(shown.values());
  }

  async waitFor(pred: () => boolean, timeoutMs = 20_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error('timed out waiting on an SSE client');
      await new Promise<void>((r) => {
        const w = () => {
          this.waiters.delete(w);
          r();
        };
        this.waiters.add(w);
        setTimeout(w, 200);
      });
    }
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }

  private connect(onFirst?: () => void): void {
    if (this.closed) return;
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' };
    const resuming = this.connections++ > 0;
    if (resuming && this.lastId) headers['last-event-id'] = this.lastId;
    const sentId = this.lastId ?? '';
    let firstOfConnection = true;
    let retried = false;
    const retry = () => {
      if (retried || this.closed) return;
      retried = true;
      setTimeout(() => this.connect(), 100);
    };
    const req = http.get(`${this.url}/api/v1/events`, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', retry);
        return;
      }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!data) continue;
          const e = ServerEvent.parse(JSON.parse(data));
          this.arrivals.push(Date.now());
          // A resumed stream starts with what was missed and a heartbeat, or with a snapshot.
          if (firstOfConnection && resuming)
            this.resumes.push({ replayed: e.type !== 'snapshot', lastEventId: sentId });
          firstOfConnection = false;
          this.events.push(e);
          this.lastId = e.id;
          if (onFirst) {
            onFirst();
            onFirst = undefined;
          }
          for (const w of [...this.waiters]) w();
        }
      });
      res.on('close', retry);
    });
    req.on('error', retry);
    this.req = req;
  }
}
