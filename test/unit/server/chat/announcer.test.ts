// Announcing never fails or delays a page: a fault in wording the announcement, or storage that
// refuses the queue, leaves the page accepted (and is logged).
import { describe, expect, it } from 'vitest';
import { Announcer } from '#server/chat/announcer.js';
import { loadServerConfig } from '#server/index.js';
import { PageOutbox } from '#server/pages/accept.js';
import { SqliteStore } from '#server/store/sqlite-store.js';
import type { Viewer } from '#server/auth/viewer.js';
import * as build from '#test/support/builders.js';

const config = loadServerConfig({
  env: {},
  overrides: {
    oncall: { apiId: 'id', apiKey: 'key', restEndpointKey: 'rest' },
    oidc: { issuer: 'https://idp.example.org', audience: 'https://klaxon.example.org/api' },
  },
  warn: () => {},
});
const alice: Viewer = {
  sub: 'alice',
  name: 'Alice Andersen',
  email: null,
  groups: ['staff'],
  username: 'alice',
  permissions: { view: true, page: true, acknowledge: false, audit: false },
  expiresAt: null,
  via: 'bearer',
  client: 'api',
};

describe('announcing', () => {
  it('never fails a page when its announcement cannot be worded', async () => {
    const store = new SqliteStore(':memory:');
    const outbox = new PageOutbox(store, config, () => {
      throw new Error('a bug in the wording');
    });
    const r = await outbox.accept(alice, { summary: 'Still paged', idempotencyKey: 'key-unannounced-0001' }, undefined);
    expect(r.created).toBe(true);
    expect((await store.getPage(r.page.id))?.page.summary).toBe('Still paged');
    await store.close();
  });

  it('logs, and does not throw, when storage refuses the queue', async () => {
    const logged: string[] = [];
    const announcer = new Announcer({
      store: {
        enqueueAnnouncements: () => Promise.reject(new Error('disk full')),
      },
      channels: [{ name: 'ops', resendSafe: false }],
      includeDetails: false,
      serverName: 'Klaxon',
      logger: { debug() {}, info() {}, warn() {}, error: (o, m) => logged.push(`${m}: ${JSON.stringify(o)}`) },
    });
    await expect(announcer.pageChanged(build.page({ incidentNumber: '7' }))).resolves.toBeUndefined();
    expect(logged).toEqual([
      'chat: could not queue an announcement: {"err":"disk full","events":["page:3f1c2f52-8a43-4c53-9b8e-2f3b1d9f0a11:incident"]}',
    ]);
  });
});
