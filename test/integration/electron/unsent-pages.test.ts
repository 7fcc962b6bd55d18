// Klaxon desktop's unsent pages against the real server: a Send while the server is down is kept by
// the main process (in a file), survives a restart of the app, and goes out exactly once, with the
// same idempotency key, when the server is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page, UnsentPage } from '#common/index.js';
import { fileUnsentPagesStore } from '#electron/unsent-pages.js';
import { desktopCore, startDesktopStack, waitForState, type DesktopStack } from '#test/support/desktop-stack.js';
import { waitFor } from '#test/support/wait-for.js';

let stack: DesktopStack;
beforeAll(async () => {
  stack = await startDesktopStack();
  await stack.startServer();
});
afterAll(async () => {
  await stack?.close();
});

describe('desktop: pages the server has not confirmed', () => {
  it('keeps a page sent while the server is down, across a restart of the app, and sends it once the server is back', async () => {
    const file = path.join(stack.dir, 'unsent-pages.json');
    const request = {
      summary: 'Wiki edits fail to save',
      details: 'Since 09:40.',
      idempotencyKey: `desktop-${crypto.randomUUID()}`,
    };
    const first = desktopCore(stack, 'alice', { unsentPages: fileUnsentPagesStore(file) });
    await first.start();
    await first.invoke('auth:sign-in', undefined);
    await waitForState(first, (s) => s.link.status === 'live');

    await stack.stopServer();
    const r = await first.invoke('pages:create', request);
    expect(r).toMatchObject({ ok: false, error: { code: 'upstream_unavailable' } });
    const listed = await first.invoke('unsent:list', undefined);
    expect(listed).toMatchObject({
      ok: true,
      value: [{ request, requesterSub: 'alice', targetLabel: 'SRE on call', refusal: null }],
    });
    expect(first.pushes.some((p) => p.channel === 'unsent:changed' && (p.payload as UnsentPage[]).length === 1)).toBe(
      true,
    );
    await first.stop();

    // The app restarts while the server is still down; then the server comes back.
    const second = desktopCore(stack, 'alice', { unsentPages: fileUnsentPagesStore(file) });
    try {
      await second.start();
      expect(await second.invoke('unsent:list', undefined)).toMatchObject({ ok: true, value: [{ request }] });
      await stack.startServer();
      await waitForState(second, (s) => s.config !== null, 20_000, 'the server config');
      await second.invoke('auth:sign-in', undefined);

      const accepted = await waitFor('the kept page to be accepted', () =>
        second.pushes.find(
          (p) => p.channel === 'page:updated' && (p.payload as Page).summary === 'Wiki edits fail to save',
        ),
      );
      expect(accepted.payload).toMatchObject({ requester: { sub: 'alice' }, client: 'desktop' });
      expect(await second.invoke('unsent:list', undefined)).toEqual({ ok: true, value: [] });
      const mine = await second.invoke('pages:mine', undefined);
      expect(mine.ok && mine.value.filter((p) => p.summary === 'Wiki edits fail to save')).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('shows a kept page NOT sent when the server refuses it, and forgets it on Discard', async () => {
    const bob = desktopCore(stack, 'bob');
    try {
      await bob.start();
      await bob.invoke('auth:sign-in', undefined);
      await waitForState(bob, (s) => s.link.status === 'live');
      await stack.stopServer();
      // A target the server does not know: it answers 400 once it is back, and resending cannot change that.
      const request = {
        summary: 'Printers offline',
        details: '',
        target: 'nope',
        idempotencyKey: `k-${crypto.randomUUID()}`,
      };
      await bob.invoke('pages:create', request);
      expect(await bob.invoke('unsent:list', undefined)).toMatchObject({ ok: true, value: [{ refusal: null }] });
      await stack.startServer();
      await waitForState(bob, (s) => s.link.status === 'live', 20_000, 'the link back');
      await bob.invoke('unsent:retry', { idempotencyKey: request.idempotencyKey });
      const refused = await waitFor('the refusal', () => {
        const u = bob.pushes.findLast((p) => p.channel === 'unsent:changed')?.payload as UnsentPage[] | undefined;
        return u?.[0]?.refusal ? u : null;
      });
      expect(refused).toMatchObject([{ refusal: { code: 'invalid_request', field: 'target' }, nextAttemptAt: null }]);
      // The popover may be closed: a notification says Klaxon has stopped trying.
      expect(bob.notifications).toContainEqual({
        title: 'Your page was NOT sent',
        body: expect.stringMatching(/^"Printers offline": target: .+ Klaxon has stopped trying/),
      });
      expect(await bob.invoke('unsent:discard', { idempotencyKey: request.idempotencyKey })).toEqual({
        ok: true,
        value: null,
      });
      expect(await bob.invoke('unsent:list', undefined)).toEqual({ ok: true, value: [] });
    } finally {
      await bob.stop();
    }
  });
});
