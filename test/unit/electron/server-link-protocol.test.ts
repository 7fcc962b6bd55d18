// ServerLink against a scripted SSE server on loopback: the protocol details that the real server
// cannot be made to misbehave on demand (resume ids, 401/403 handling, bad events, silence).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LinkState, ServerEvent } from '#common/index.js';
import { ServerLink, type AuthProblem } from '#electron/server-link.js';
import { NotSignedInError } from '#electron/token-vault.js';
import { snapshot } from '#test/support/builders.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;
const servers: http.Server[] = [];
const links: ServerLink[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.disconnect()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function sseServer(handler: Handler): Promise<{ url: string; requests: http.IncomingHttpHeaders[] }> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    handler(req, res, requests.length);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const frame = (e: ServerEvent) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
const snap = (id: string): ServerEvent => ({ type: 'snapshot', id, data: { incidents: snapshot([]), pages: [] } });
const beat = (id: string, stale = false): ServerEvent => ({
  type: 'heartbeat',
  id,
  data: {
    at: new Date().toISOString(),
    fetchedAt: new Date().toISOString(),
    ageSeconds: 0,
    stale,
    upstream: { ok: true, error: null },
  },
});

function link(url: string, over: Partial<ConstructorParameters<typeof ServerLink>[0]> = {}) {
  const events: ServerEvent[] = [];
  const states: LinkState[] = [];
  const problems: AuthProblem[] = [];
  let refreshes = 0;
  const l = new ServerLink({
    serverUrl: url,
    getAccessToken: async () => 'token-1',
    refreshAccessToken: async () => {
      refreshes++;
      return `token-${refreshes + 1}`;
    },
    onEvent: (e) => events.push(e),
    onLink: (s) => states.push(s),
    onAuthProblem: (p) => problems.push(p),
    pollIntervalSeconds: () => 0.1,
    heartbeatSeconds: 0.2,
    backoff: { baseMs: 50, maxMs: 200 },
    ...over,
  });
  links.push(l);
  return { l, events, states, problems, refreshes: () => refreshes };
}

const until = async (pred: () => boolean, ms = 5_000) => {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('server link protocol', () => {
  it('sends the bearer token and the client header, and resumes with Last-Event-ID after a drop', async () => {
    const srv = await sseServer((_req, res, n) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (n === 1) res.end(frame(snap('41')) + frame(beat('42')));
      else res.write(frame(beat(String(42 + n))));
    });
    const t = link(srv.url);
    t.l.connect();
    await until(() => srv.requests.length >= 2 && t.events.length >= 3);
    expect(srv.requests[0]).toMatchObject({
      authorization: 'Bearer token-1',
      'x-klaxon-client': 'desktop',
      accept: 'text/event-stream',
    });
    expect(srv.requests[0]!['last-event-id']).toBeUndefined();
    expect(srv.requests[1]!['last-event-id']).toBe('42');
    expect(t.states.some((s) => s.status === 'offline')).toBe(true);
  });

  it('ignores events that do not match the contract, and accepts the plain `event:` + payload form', async () => {
    const srv = await sseServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: snapshot\ndata: {"incidents": "nope"}\n\n');
      res.write('data: not json\n\n');
      const e = beat('7');
      res.write(`id: 7\nevent: heartbeat\ndata: ${JSON.stringify(e.data)}\n\n`);
    });
    const logs: string[] = [];
    const t = link(srv.url, { log: (m) => logs.push(m) });
    t.l.connect();
    await until(() => t.events.length === 1);
    expect(t.events[0]).toMatchObject({ type: 'heartbeat', id: '7' });
    expect(logs.join('\n')).toMatch(/ignored an invalid snapshot event/);
  });

  it('on 401 refreshes once and retries; a second 401 means signed out', async () => {
    const srv = await sseServer((req, res) => {
      if (req.headers.authorization === 'Bearer token-2') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(frame(snap('1')));
        return;
      }
      res.writeHead(401).end();
    });
    const ok = link(srv.url);
    ok.l.connect();
    await until(() => ok.events.length === 1);
    expect(ok.refreshes()).toBe(1);
    expect(ok.problems).toEqual([]);

    const always401 = await sseServer((_req, res) => res.writeHead(401).end());
    const bad = link(always401.url);
    bad.l.connect();
    await until(() => bad.problems.length === 1);
    expect(bad.problems[0]).toMatchObject({ kind: 'signed-out' });
    expect(bad.refreshes()).toBe(1);
  });

  it('403 names the groups that would grant access', async () => {
    const srv = await sseServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'forbidden', message: 'Klaxon is for staff and SRE.', requiredGroups: ['staff', 'sre'] },
        }),
      );
    });
    const t = link(srv.url);
    t.l.connect();
    await until(() => t.problems.length === 1);
    expect(t.problems[0]).toEqual({
      kind: 'forbidden',
      message: 'Klaxon is for staff and SRE.',
      requiredGroups: ['staff', 'sre'],
    });
  });

  it('a refused refresh token stops the link and reports signed-out', async () => {
    const srv = await sseServer((_req, res) => res.writeHead(200).end());
    const t = link(srv.url, {
      getAccessToken: async () => {
        throw new NotSignedInError('Your Klaxon session has ended.');
      },
    });
    t.l.connect();
    await until(() => t.problems.length === 1);
    expect(t.problems[0]).toEqual({ kind: 'signed-out', message: 'Your Klaxon session has ended.' });
    expect(srv.requests).toHaveLength(0);
  });

  it('the staleness clock turns a silent link stale, and three missed heartbeats force a reconnect', async () => {
    const srv = await sseServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(frame(snap('1'))); /* then silence */
    });
    const t = link(srv.url);
    t.l.connect();
    await until(() => t.states.some((s) => s.status === 'stale'));
    await until(() => srv.requests.length >= 2, 5_000);
  });

  it('the server saying its data is stale makes the link stale even while events flow', async () => {
    const srv = await sseServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(frame(snap('1')) + frame(beat('2', true)));
    });
    const t = link(srv.url, { heartbeatSeconds: 30 });
    t.l.connect();
    await until(() => t.events.length === 2);
    expect(t.l.getLink().status).toBe('stale');
  });

  it('a session event makes it refresh the token and reconnect at once', async () => {
    const srv = await sseServer((_req, res, n) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (n === 1)
        res.end(frame(snap('1')) + frame({ type: 'session', id: '2', data: { state: 'expired', message: 'expired' } }));
      else res.write(frame(snap('3')));
    });
    const t = link(srv.url);
    t.l.connect();
    await until(() => srv.requests.length === 2 && t.events.length === 3);
    expect(srv.requests[1]!.authorization).toBe('Bearer token-2');
    expect(t.states.some((s) => s.status === 'offline')).toBe(false);
  });

  it('a server retry: hint below 1 s is raised to 1 s (no reconnect storm)', async () => {
    const srv = await sseServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`retry: 5\n\n${frame(snap('1'))}`); // ends at once: the client must wait before coming back
    });
    const t = link(srv.url, { random: () => 0, backoff: undefined }); // shortest delay (half the base); the server's hint sets the base
    t.l.connect();
    await until(() => t.events.length === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(srv.requests.length).toBe(1); // with a 5 ms base there would be dozens by now
    await until(() => srv.requests.length === 2, 3_000); // and it does come back after about half a second
  });

  it('REST: one retry with a fresh token after 401, and error bodies come back as values', async () => {
    const srv = await sseServer((req, res) => {
      if (req.url === '/api/v1/me' && req.headers.authorization === 'Bearer token-1') {
        res.writeHead(401).end();
        return;
      }
      if (req.url === '/api/v1/me') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'world' }));
        return;
      }
      res
        .writeHead(429, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 30 } }));
    });
    const t = link(srv.url);
    expect(await t.l.request({ method: 'GET', path: '/api/v1/me', schema: z.object({ hello: z.string() }) })).toEqual({
      ok: true,
      value: { hello: 'world' },
    });
    expect(t.refreshes()).toBe(1);
    expect(await t.l.request({ method: 'POST', path: '/api/v1/pages', body: {}, schema: z.unknown() })).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Slow down.', retryAfterSeconds: 30 },
    });
    expect(
      await t.l.request({ method: 'GET', path: '/api/v1/me', schema: z.object({ other: z.string() }) }),
    ).toMatchObject({ ok: false, error: { code: 'internal' } });
    const down = link('http://127.0.0.1:1');
    expect(await down.l.request({ method: 'GET', path: '/x', schema: z.unknown() })).toMatchObject({
      ok: false,
      error: { code: 'upstream_unavailable', message: expect.stringMatching(/cannot reach the server.*ECONNREFUSED/) },
    });
  });
});
