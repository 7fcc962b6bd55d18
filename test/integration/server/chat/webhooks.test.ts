// Announcements over chat webhooks (Slack-compatible, Mattermost, Matrix) to a local receiver over
// HTTP (test/support/chat-webhook-receiver.ts): what the channel shows, retries after error
// answers, and an attempt whose outcome is unknown: never repeated on an incoming webhook, resent
// with the same transaction id on Matrix (which shows it once).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Announcer } from '#server/chat/announcer.js';
import { ChatWorker } from '#server/chat/chat-worker.js';
import { WebhookChannel } from '#server/chat/webhook-channel.js';
import { createMetrics } from '#server/http/metrics.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { acceptQueuedPage } from '#test/support/accept-page.js';
import * as build from '#test/support/builders.js';
import {
  MATRIX_TOKEN,
  startChatWebhookReceiver,
  type ChatWebhookReceiver,
} from '#test/support/chat-webhook-receiver.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let receiver: ChatWebhookReceiver;
beforeAll(async () => {
  receiver = await startChatWebhookReceiver();
});
afterAll(async () => receiver?.close());
beforeEach(() => {
  receiver.posted.length = 0;
  receiver.requests.length = 0;
});

const webhooks = () => [
  { name: 'slack-sre', type: 'slack' as const, url: `${receiver.url}/hooks/slack-sre` },
  { name: 'mm-ops', type: 'mattermost' as const, url: `${receiver.url}/hooks/mm-ops` },
  {
    name: 'matrix-ops',
    type: 'matrix' as const,
    url: receiver.url,
    roomId: '!ops:klaxon.test',
    accessToken: MATRIX_TOKEN,
  },
];

describe('a Klaxon server with chat webhooks', { timeout: 60_000 }, () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('posts a page to each webhook once, with the details only when chat.includeDetails is on', async () => {
    const server = await startServer(stack, { chat: { webhooks: webhooks(), includeDetails: true } });
    try {
      const r = await api(`${server.url}/api/v1/pages`, {
        token: await stack.token('alice'),
        body: { summary: 'Payments failing', details: 'since the 10:02 deploy', idempotencyKey: randomKey() },
      });
      expect(r.status).toBe(202);
      const text = '[Klaxon] Alice Andersen paged SRE on call: "Payments failing". Details: since the 10:02 deploy';
      await waitFor('posted to the three channels', () => receiver.posted.filter((p) => p.text === text).length === 3);
      expect(
        receiver.posted
          .filter((p) => p.text === text)
          .map((p) => p.where)
          .sort(),
      ).toEqual(['hooks/mm-ops', 'hooks/slack-sre', 'matrix/!ops:klaxon.test']);
      const matrix = receiver.requests.find((q) => q.path.startsWith('/_matrix/'));
      expect(matrix?.method).toBe('PUT');
      expect(matrix?.body).toEqual({ msgtype: 'm.notice', body: text });
    } finally {
      await server.close();
    }
  });
});

describe('the chat worker on webhooks', () => {
  let dir: string;
  let store: SqliteStore;
  let worker: ChatWorker | null = null;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'klaxon-chat-hooks-'));
    store = new SqliteStore(path.join(dir, 'klaxon.db'));
  });
  afterEach(async () => {
    await worker?.stop();
    worker = null;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(timeoutMs = 500) {
    const channels = webhooks().map((w) => new WebhookChannel({ roomId: null, accessToken: null, ...w }));
    const metrics = createMetrics();
    const w = new ChatWorker({
      store,
      channels,
      chat: { timeoutMs, baseDelayMs: 100, maxDelayMs: 200, giveUpAfterMinutes: 5 },
      metrics,
      pollMs: 50,
    });
    worker = w;
    const announcer = new Announcer({
      store,
      channels,
      includeDetails: false,
      serverName: 'Klaxon',
      onQueued: () => w.kick(),
    });
    w.start();
    return { announcer, metrics };
  }

  const page = build.page({
    id: '0b0c0d0e-0000-4000-8000-000000000001',
    summary: 'Disk full on db-3',
    details: 'secret details',
    status: 'delivered',
    incidentNumber: '4711',
  });

  it('announces an escalation through the announce entry point', async () => {
    const { announcer } = run();
    await announcer.announce({
      kind: 'escalated',
      incidentNumber: '4711',
      to: 'SRE Batphone',
      cause: 'page_unacknowledged',
      requestedBy: null,
      afterMinutes: 15,
      page,
    });
    const text =
      '[Klaxon] Incident #4711 (Alice Andersen\'s page "Disk full on db-3") was escalated to SRE Batphone: the page was not acknowledged in 15 minutes.';
    await waitFor('posted', () => receiver.posted.length === 3);
    expect(receiver.posted.map((p) => p.text)).toEqual([text, text, text]);
    expect(receiver.posted.some((p) => p.text.includes('secret') || p.text.includes('@'))).toBe(false);
  });

  it('announces an escalation as the escalation job records it, with its page', async () => {
    const { announcer } = run();
    const { page: stored } = await acceptQueuedPage(store, { summary: 'Login broken' });
    await announcer.escalated({
      incidentNumber: '5000',
      reason: 'requested',
      policyName: 'SRE Batphone',
      requesterName: 'Alice Andersen',
      afterMinutes: null,
      pageId: stored.id,
    });
    await waitFor('posted', () => receiver.posted.length === 3);
    expect(receiver.posted[0]!.text).toBe(
      '[Klaxon] Incident #5000 (Alice Andersen\'s page "Login broken") was escalated to SRE Batphone: Alice Andersen asked to escalate.',
    );
  });

  it('retries after error answers and posts once', async () => {
    const { announcer, metrics } = run();
    receiver.failNext(4, 503);
    await announcer.announce({ kind: 'paged', page });
    await waitFor('posted to every channel', () => receiver.posted.length === 3, 10_000);
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.posted).toHaveLength(3);
    expect(receiver.requests.length).toBe(7);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/klaxon_chat_attempts_total\{channel="\S+",outcome="retry"\} [1-9]/);
  });

  it('never repeats a webhook post whose answer did not come, and resends it to Matrix with the same transaction id', async () => {
    const { announcer, metrics } = run(300);
    // Every first request is taken (posted) but answered too late.
    receiver.delayNext(3, 1000);
    await announcer.announce({ kind: 'acknowledged', page: { ...page, ackedBy: 'carol', ackedAt: page.createdAt } });
    await waitFor(
      'a Matrix resend',
      () => receiver.requests.filter((q) => q.path.startsWith('/_matrix/')).length >= 2,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const matrixTxns = receiver.requests
      .filter((q) => q.path.startsWith('/_matrix/'))
      .map((q) => q.path.split('/').pop());
    expect(new Set(matrixTxns).size).toBe(1);
    // The incoming webhooks got one request each (posted, never repeated); Matrix shows it once.
    expect(receiver.requests.filter((q) => q.path.startsWith('/hooks/'))).toHaveLength(2);
    expect(receiver.posted.map((p) => p.where).sort()).toEqual([
      'hooks/mm-ops',
      'hooks/slack-sre',
      'matrix/!ops:klaxon.test',
    ]);
    const counts = await store.announcementCounts(new Date());
    expect(counts.map((c) => [c.channel, c.pending, c.failedLastDay])).toEqual([
      ['matrix-ops', 0, 0],
      ['mm-ops', 0, 1],
      ['slack-sre', 0, 1],
    ]);
    expect(await metrics.registry.metrics()).toMatch(
      /klaxon_chat_attempts_total\{channel="slack-sre",outcome="unknown_gave_up"\} 1/,
    );
  });
});
