import http from 'node:http';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ServerEvent } from '#common/index.js';

/** A raw SSE reader for tests: every frame is checked against the contract's ServerEvent schema. */
export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: ServerEvent[];
  /** Frames whose `id:`/`event:` lines disagree with the JSON, or whose JSON fails the schema. */
  invalid: string[];
  ended: boolean;
  /** Bytes received as they crossed the wire (compressed when the server compressed). */
  wireBytes: number;
  /** Everything received, as it crossed the wire. */
  raw: Buffer[];
  next<T extends ServerEvent>(pred: (e: ServerEvent) => e is T, timeoutMs?: number): Promise<T>;
  next(pred: (e: ServerEvent) => boolean, timeoutMs?: number): Promise<ServerEvent>;
  waitEnd(timeoutMs?: number): Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const conn: SseConnection = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        invalid: [],
        ended: false,
        wireBytes: 0,
        raw: [],
        next(pred: (e: ServerEvent) => boolean, timeoutMs = 10_000): Promise<ServerEvent> {
          let seen = 0;
          return new Promise<ServerEvent>((ok, fail) => {
            const check = () => {
              for (; seen < conn.events.length; seen++) {
                const e = conn.events[seen]!;
                if (pred(e)) {
                  cleanup();
                  ok(e);
                  return true;
                }
              }
              if (conn.ended) {
                cleanup();
                fail(new Error('stream ended before the expected event'));
                return true;
              }
              return false;
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(
                new Error(`no matching event within ${timeoutMs} ms; got ${conn.events.map((e) => e.type).join(',')}`),
              );
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            if (!check()) waiters.add(check);
          });
        },
        waitEnd(timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            if (conn.ended) return ok();
            const timer = setTimeout(() => fail(new Error('stream did not end')), timeoutMs);
            res.once('close', () => {
              clearTimeout(timer);
              ok();
            });
          });
        },
        close() {
          req.destroy();
        },
      };
      const waiters = new Set<() => boolean>();
      const notify = () => {
        for (const w of [...waiters]) w();
      };
      let buf = '';
      res.on('data', (chunk: Buffer) => {
        conn.wireBytes += chunk.length;
        conn.raw.push(chunk);
      });
      // A stream the server compressed (the request asked for it) is decoded as it arrives.
      const gzip = res.headers['content-encoding'] === 'gzip';
      const text: Readable = gzip ? res.pipe(zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH })) : res;
      if (gzip) text.on('error', () => undefined); // an abrupt end leaves the gzip trailer out
      text.setEncoding('utf8');
      text.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const m = line.match(/^([a-z]+): ?(.*)$/);
            if (m) fields[m[1]!] = m[2]!;
          }
          if (fields.data === undefined) continue;
          try {
            const parsed = ServerEvent.safeParse(JSON.parse(fields.data));
            if (!parsed.success)
              conn.invalid.push(`${fields.data.slice(0, 200)} :: ${parsed.error.message.slice(0, 300)}`);
            else if (parsed.data.id !== fields.id || parsed.data.type !== fields.event)
              conn.invalid.push(`id/event lines disagree: ${block.slice(0, 100)}`);
            else conn.events.push(parsed.data);
          } catch {
            conn.invalid.push(`not JSON: ${fields.data.slice(0, 100)}`);
          }
        }
        notify();
      });
      res.on('close', () => {
        conn.ended = true;
        notify();
      });
      resolve(conn);
    });
    req.on('error', reject);
  });
}
