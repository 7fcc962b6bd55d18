// The transport under the On-Call client: whole-exchange timeouts, cut connections, keep-alive.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamRequest } from '#server/backends/upstream-http.js';

let server: http.Server;
let base = '';
const connections = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    connections.add(`${req.socket.remotePort}`);
    if (req.url === '/stall-body') {
      // Headers at once, then the body never ends: only a whole-exchange timeout notices.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"incidents": [');
      return;
    }
    if (req.url === '/cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify({ method: req.method, body, length: req.headers['content-length'] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('upstreamRequest', () => {
  it('returns status, headers and the whole body, sending the body with its length', async () => {
    const res = await upstreamRequest(`${base}/echo`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"ä":1}',
      timeoutMs: 2000,
    });
    expect(res.status).toBe(429);
    expect(res.ok).toBe(false);
    expect(res.header('Retry-After')).toBe('7');
    expect(res.header('x-missing')).toBeNull();
    expect(JSON.parse(res.text)).toEqual({ method: 'PATCH', body: '{"ä":1}', length: '8' });
  });

  it('gives up on an answer whose body never ends, within the timeout', async () => {
    const t0 = Date.now();
    const err = await upstreamRequest(`${base}/stall-body`, { method: 'GET', headers: {}, timeoutMs: 300 }).catch(
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reports a connection cut in the middle of the body as ECONNRESET', async () => {
    const err = await upstreamRequest(`${base}/cut`, { method: 'GET', headers: {}, timeoutMs: 2000 }).catch(
      (e: unknown) => e as Error & { code?: string },
    );
    expect((err as { code?: string }).code).toBe('ECONNRESET');
  });

  it('reports a refused connection with its code', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await upstreamRequest(`http://127.0.0.1:${port}/`, {
      method: 'GET',
      headers: {},
      timeoutMs: 2000,
    }).catch((e: unknown) => e as Error & { code?: string });
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('reuses one connection for requests one after another', async () => {
    connections.clear();
    for (let i = 0; i < 5; i++) await upstreamRequest(`${base}/echo`, { method: 'GET', headers: {}, timeoutMs: 2000 });
    expect(connections.size).toBe(1);
  });
});
