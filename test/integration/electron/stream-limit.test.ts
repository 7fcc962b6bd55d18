// Klaxon desktop at the server's per-person cap on event streams (events.maxStreamsPerUser,
// server/live/event-stream.ts): the person reads the server's sentence, not "Cannot reach … 429",
// the app retries with the backoff, and it connects by itself once another window or device closes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayView } from '#electron/tray.js';
import { desktopCore, startDesktopStack, waitForState, type DesktopStack } from '#test/support/desktop-stack.js';

let stack: DesktopStack;
beforeAll(async () => {
  stack = await startDesktopStack();
  await stack.startServer({ events: { maxStreamsPerUser: 2 } });
});
afterAll(async () => {
  await stack?.close();
});

const SENTENCE =
  'Klaxon is open in too many windows or devices for you (the limit is 2, events.maxStreamsPerUser on the Klaxon server). Close one and Klaxon reconnects by itself.';

describe('desktop at the limit of event streams per person', () => {
  it('says what to close, retries with the backoff, and goes live once one closes', async () => {
    const laptop = desktopCore(stack, 'alice');
    const desktop = desktopCore(stack, 'alice');
    // The reconnect backoff of a real install (common/backoff.ts: never under half a second, doubling),
    // capped at 4 s so the test need not wait a minute once a slot is free; the stack's default is faster.
    const third = desktopCore(stack, 'alice', {
      link: { heartbeatSeconds: 15, backoff: { baseMs: 1000, maxMs: 4000 } },
    });
    try {
      for (const core of [laptop, desktop]) {
        await core.start();
        await core.invoke('auth:sign-in', undefined);
        await waitForState(core, (x) => x.link.status === 'live' && x.snapshot !== null);
      }

      await third.start();
      await third.invoke('auth:sign-in', undefined);
      const refused = await waitForState(third, (x) => x.link.status === 'offline', 10_000, 'refused');
      expect(refused.link.error).toBe(SENTENCE);
      expect(refused.link.error).not.toMatch(/429|Cannot reach/);
      expect(refused.auth.status).toBe('signed-in');
      expect(refused.link.retryAt).not.toBeNull();
      const view = trayView(refused, { platform: 'darwin', theme: 'light', now: new Date() });
      expect(view.kind).toBe('offline');

      // Retries are spaced by the backoff, not a tight loop: at most 3000 / 500 connection attempts
      // in 3 s (about three on average), where a loop would make hundreds.
      let attempts = 0;
      let previous = third.state.get().link.status;
      const off = third.state.subscribe((s) => {
        if (s.link.status === 'connecting' && previous !== 'connecting') attempts++;
        previous = s.link.status;
      });
      await new Promise((r) => setTimeout(r, 3_000));
      off();
      expect(attempts).toBeGreaterThan(0);
      expect(attempts).toBeLessThanOrEqual(6);
      expect(third.state.get().link.error).toBe(SENTENCE);

      await laptop.stop();
      const live = await waitForState(third, (x) => x.link.status === 'live', 20_000, 'live once a slot is free');
      expect(live.link.error).toBeNull();
      expect(live.snapshot?.incidents.length).toBeGreaterThan(0);
    } finally {
      await Promise.allSettled([laptop.stop(), desktop.stop(), third.stop()]);
    }
  });
});
