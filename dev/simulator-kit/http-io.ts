/** Small HTTP primitives shared by both simulators' route files: the parsed request and the reply to send. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Parsed JSON body; `undefined` when empty or not JSON (`jsonError` says which). */
  body: unknown;
  jsonError: boolean;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType?: string; headers?: Record<string, string> };

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  json: body,
  ...(headers ? { headers } : {}),
});

export class BodyTooLarge extends Error {}

/** Rejects with `BodyTooLarge` past `maxBytes` (each simulator passes its service's limit). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new BodyTooLarge(`Request body over ${maxBytes} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseJson(raw: string): { body: unknown; jsonError: boolean } {
  if (raw.trim() === '') return { body: undefined, jsonError: false };
  try {
    return { body: JSON.parse(raw) as unknown, jsonError: false };
  } catch {
    return { body: undefined, jsonError: true };
  }
}

/** `jsonContentType` is the service's own: On-Call's `application/json`, PagerDuty's with `; charset=utf-8`. */
export function send(res: ServerResponse, reply: Reply, jsonContentType: string): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
  const contentType = 'json' in reply ? jsonContentType : (reply.contentType ?? 'text/plain; charset=utf-8');
  res.writeHead(reply.status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
    ...(reply.headers ?? {}),
  });
  res.end(payload);
}

export function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address === '::ffff:127.0.0.1' || (address?.startsWith('127.') ?? false);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
