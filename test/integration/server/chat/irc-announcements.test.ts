// Pages announced in a real IRC channel (ngIRCd, test/support/irc-server.ts) by a real Klaxon
// server: a watcher in the channel sees each page, its incident and its acknowledgement exactly
// once, including across a restart of Klaxon and a restart of the IRC server.
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '#common/index.js';
import { IrcTestClient, startIrcServer, type RunningIrcServer } from '#test/support/irc-server.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';
import type { ServerConfigOverrides } from '#server/index.js';

let stack: Stack;
let irc: RunningIrcServer;
let watcher: IrcTestClient;

beforeAll(async () => {
  [stack, irc] = await Promise.all([startStack(), startIrcServer({ channel: '#ops' })]);
  watcher = new IrcTestClient(irc, '#ops');
  await watcher.connect();
});
afterAll(async () => {
  watcher?.close();
  await Promise.allSettled([stack?.close(), irc?.close()]);
});

const chatConfig = (): ServerConfigOverrides => ({
  serverName: 'Klaxon',
  pageRateLimit: { max: 100, windowSeconds: 600 },
  chat: {
    irc: [{ name: 'ops-irc', host: irc.host, port: irc.port, tls: false, nick: 'klaxon', channel: '#ops' }],
    baseDelayMs: 200,
    maxDelayMs: 1000,
  },
});

async function page(url: string, user: string, summary: string, details = ''): Promise<Page> {
  const r = await api(`${url}/api/v1/pages`, {
    token: await stack.token(user),
    body: { summary, details, idempotencyKey: randomKey() },
  });
  expect(r.status).toBe(202);
  return r.body as Page;
}

/** Announcements given up, as stored (a failure names which and why). */
function givenUp(file: string): unknown[] {
  const db = new DatabaseSync(file);
  try {
    return db.prepare('SELECT event_key, last_error FROM announcements WHERE failed_at IS NOT NULL').all();
  } finally {
    db.close();
  }
}

/** How many announcements wait to be sent or recorded as sent, as stored. */
function unsettled(file: string): number {
  const db = new DatabaseSync(file);
  try {
    const row = db.prepare('SELECT COUNT(*) AS n FROM announcements WHERE sent_at IS NULL AND failed_at IS NULL').get();
    return Number(row?.n);
  } finally {
    db.close();
  }
}

/** Gives a late duplicate the time to show up before a test counts. */
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('pages announced on IRC', { timeout: 90_000 }, () => {
  it('says who paged whom, the incident number once known and who acknowledged, each once; details stay out', async () => {
    const server = await startServer(stack, chatConfig());
    try {
      const p = await page(server.url, 'alice', 'Checkout is down', 'card numbers in the log: 4111');
      await waitFor('the page announced', () => watcher.said('Checkout is down').length >= 1);
      const delivered = await waitFor(
        'the incident number',
        async () => {
          const got = (await api(`${server.url}/api/v1/pages/${p.id}`, { token: await stack.token('alice') }))
            .body as Page;
          return got.incidentNumber ? got : null;
        },
        30_000,
      );
      await waitFor('the incident announced', () => watcher.said(`incident #${delivered.incidentNumber}`).length >= 1);
      stack.sim.control.ack(delivered.incidentNumber!, 'carol', 'on it');
      await waitFor('the acknowledgement announced', () => watcher.said('acknowledged by carol').length >= 1);
      await settle();
      const said = watcher.said('Checkout is down').map((m) => m.text);
      expect(said).toEqual([
        '[Klaxon] Alice Andersen paged SRE on call: "Checkout is down".',
        `[Klaxon] Alice Andersen's page to SRE on call is incident #${delivered.incidentNumber}: "Checkout is down".`,
        `[Klaxon] Incident #${delivered.incidentNumber} (Alice Andersen's page "Checkout is down") was acknowledged by carol.`,
      ]);
      expect(watcher.messages.every((m) => m.from === 'klaxon')).toBe(true);
      expect(watcher.messages.some((m) => m.text.includes('4111'))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('reconnects after the IRC server restarts, and sends what was queued meanwhile (also across a Klaxon restart) once', async () => {
    const paged = (summary: string) => watcher.said(`paged SRE on call: "${summary}"`);
    // An IRC server stopped while a message waits for its confirmation leaves that message's fate
    // unknown, and Klaxon never resends those (at most once): stop only once the incident was said.
    const incidentSaid = async (summary: string) => {
      await waitFor(
        `the incident of "${summary}" announced`,
        () => watcher.said(`is incident #`).some((m) => m.text.includes(summary)),
        30_000,
      );
      // … and recorded as sent (its confirmation came back).
      await waitFor('the queue settled', () => unsettled(server.config.storage.sqlitePath) === 0);
    };
    let server = await startServer(stack, chatConfig());
    try {
      await page(server.url, 'bob', 'Before the IRC outage');
      await waitFor('the first page announced', () => paged('Before the IRC outage').length === 1);
      await incidentSaid('Before the IRC outage');

      await irc.stop();
      // Accepted at once while the chat is down: a page never waits for its announcement.
      const started = Date.now();
      await page(server.url, 'bob', 'During the IRC outage');
      expect(Date.now() - started).toBeLessThan(2000);
      const metrics = await api(`${server.url}/metrics`);
      expect(metrics.body).toMatch(/klaxon_chat_announcements_pending\{channel="ops-irc"\} [1-9]/);
      expect(metrics.body).toMatch(/klaxon_chat_irc_connected\{channel="ops-irc"\} 0/);
      await irc.start();
      await watcher.reconnect();
      await waitFor(
        'Klaxon back in the channel, with the queued page',
        () => paged('During the IRC outage').length >= 1,
        30_000,
      );

      await incidentSaid('During the IRC outage');
      // A second outage, and Klaxon restarts while the announcement waits in its queue.
      await irc.stop();
      await page(server.url, 'bob', 'Queued across a Klaxon restart');
      await server.close();
      server = await startServer(stack, chatConfig());
      await irc.start();
      await watcher.reconnect();
      await waitFor(
        'the queued page announced after both restarts',
        () => paged('Queued across a Klaxon restart').length >= 1,
        30_000,
      );
      await page(server.url, 'bob', 'After the IRC outage');
      await waitFor('the next page announced', () => paged('After the IRC outage').length >= 1);
      await settle();
      for (const s of [
        'Before the IRC outage',
        'During the IRC outage',
        'Queued across a Klaxon restart',
        'After the IRC outage',
      ])
        expect(paged(s), s).toHaveLength(1);
      const after = await api(`${server.url}/metrics`);
      expect(after.body).toMatch(/klaxon_chat_irc_connected\{channel="ops-irc"\} 1/);
      expect(givenUp(server.config.storage.sqlitePath)).toEqual([]);
      expect(after.body).toMatch(/klaxon_chat_announcements_failed\{channel="ops-irc"\} 0/);
    } finally {
      await server.close();
    }
  });

  it('announces once when two servers share the queue, each connected to the channel', async () => {
    const [one, two] = [await startServer(stack, chatConfig()), await startServer(stack, chatConfig())];
    try {
      // Both in the channel: the second under another nick.
      const connected = async (url: string) =>
        /klaxon_chat_irc_connected\{channel="ops-irc"\} 1/.test(String((await api(`${url}/metrics`)).body));
      await waitFor(
        'both servers in the channel',
        async () => (await connected(one.url)) && (await connected(two.url)),
      );
      for (let i = 0; i < 4; i++) await page(i % 2 ? one.url : two.url, 'alice', `Shared queue ${i}`);
      for (let i = 0; i < 4; i++)
        await waitFor(`page ${i} announced`, () => watcher.said(`paged SRE on call: "Shared queue ${i}"`).length >= 1);
      await settle();
      for (let i = 0; i < 4; i++) expect(watcher.said(`paged SRE on call: "Shared queue ${i}"`)).toHaveLength(1);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
