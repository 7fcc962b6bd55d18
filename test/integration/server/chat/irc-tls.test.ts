// IRC over TLS against a real ngIRCd with a self-signed certificate: the certificate is checked
// by default (nothing is announced to a server it cannot trust), and SASL configured on a server
// that does not offer it keeps Klaxon out of the channel instead of joining unauthenticated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IrcTestClient, startIrcServer, type RunningIrcServer } from '#test/support/irc-server.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import type { ServerConfigOverrides } from '#server/index.js';

let stack: Stack;
let irc: RunningIrcServer;
let watcher: IrcTestClient;

beforeAll(async () => {
  [stack, irc] = await Promise.all([startStack(), startIrcServer({ channel: '#sec', tls: true })]);
  watcher = new IrcTestClient(irc, '#sec');
  await watcher.connect();
});
afterAll(async () => {
  watcher?.close();
  await Promise.allSettled([stack?.close(), irc?.close()]);
});

const tlsChannel = (over: Record<string, unknown>): ServerConfigOverrides =>
  ({
    pageRateLimit: { max: 100, windowSeconds: 600 },
    chat: { irc: [{ name: 'sec', host: irc.host, port: irc.tlsPort!, channel: '#sec', ...over }], baseDelayMs: 200 },
  }) as ServerConfigOverrides;

async function pageAndMetrics(url: string, summary: string): Promise<string> {
  const r = await api(`${url}/api/v1/pages`, {
    token: await stack.token('alice'),
    body: { summary, idempotencyKey: randomKey() },
  });
  expect(r.status).toBe(202);
  return String((await api(`${url}/metrics`)).body);
}

describe('IRC over TLS', { timeout: 60_000 }, () => {
  it('announces over TLS', async () => {
    const server = await startServer(stack, tlsChannel({ tlsVerify: false }));
    try {
      await pageAndMetrics(server.url, 'Over TLS');
      await waitFor('announced over TLS', () => watcher.said('paged SRE on call: "Over TLS"').length === 1);
    } finally {
      await server.close();
    }
  });

  it('announces nothing to a server whose certificate it cannot check, nor without the SASL login it was given', async () => {
    for (const over of [{}, { tlsVerify: false, sasl: { account: 'klaxon', password: 'not-offered' } }]) {
      const server = await startServer(stack, tlsChannel(over));
      const summary = `Refused ${JSON.stringify(over).length}`;
      try {
        await pageAndMetrics(server.url, summary);
        await new Promise((r) => setTimeout(r, 2500));
        const metrics = String((await api(`${server.url}/metrics`)).body);
        expect(metrics).toMatch(/klaxon_chat_irc_connected\{channel="sec"\} 0/);
        expect(metrics).toMatch(/klaxon_chat_announcements_pending\{channel="sec"\} [1-9]/);
        expect(watcher.said(summary)).toEqual([]);
      } finally {
        await server.close();
      }
    }
  });
});
