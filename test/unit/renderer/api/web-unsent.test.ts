// The web UI's unsent pages (renderer/api/web-unsent.ts): kept in the tab's sessionStorage, so a
// reload finds them; resent with the same request until the server answers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, ok, type Page, type Result, type ValidPageRequest } from '#common/index.js';
import { createWebUnsent } from '#renderer/api/web-unsent.js';
import { T0, page } from '#test/support/renderer-fixtures.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** sessionStorage as a tab has it: survives the adapter (a reload), not the tab. */
function tabStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    m,
  };
}

const request = { summary: 'Search returns nothing', idempotencyKey: 'klx-0123456789abcdef' };
const unreachable = fail('upstream_unavailable', 'The Klaxon server is not reachable: check your network or VPN.');

function tab(storage: ReturnType<typeof tabStorage>, answer: () => Result<Page>, who: string | null = 'alice') {
  const sent: ValidPageRequest[] = [];
  const accepted: Page[] = [];
  const u = createWebUnsent({
    storage,
    send: async (r) => {
      sent.push(r);
      return answer();
    },
    signedInAs: () => who,
    targetLabel: () => 'SRE on call',
    onAccepted: (p) => accepted.push(p),
  });
  return { u, sent, accepted };
}

describe('web: pages not sent yet', () => {
  it('keeps a Send without an answer in sessionStorage; a reload finds it and sends it once the server answers', async () => {
    const storage = tabStorage();
    const first = tab(storage, () => unreachable);
    expect(await first.u.send(request)).toEqual(unreachable);
    expect(first.u.list()).toMatchObject([{ request: { ...request, details: '' }, attempts: 1 }]);
    expect(first.u.hasWaiting()).toBe(true);
    expect(storage.m.size).toBe(1);

    // The page is reloaded: its timers are gone, a new adapter reads the same tab storage.
    vi.clearAllTimers();
    let answer: Result<Page> = unreachable;
    const again = tab(storage, () => answer);
    expect(again.u.list()).toHaveLength(1);
    again.u.resendNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(again.sent).toHaveLength(1);
    answer = ok(page());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(again.accepted).toHaveLength(1);
    expect(again.u.list()).toEqual([]);
    expect(again.u.hasWaiting()).toBe(false);
    expect(storage.m.size).toBe(0);
    expect(new Set(again.sent.map((r) => JSON.stringify(r))).size).toBe(1);
  });

  it('Discard forgets it; a refusal of the first Send is not kept', async () => {
    const storage = tabStorage();
    const t = tab(storage, () => unreachable);
    await t.u.send(request);
    expect(t.u.discard(request.idempotencyKey)).toEqual(ok(null));
    expect(t.u.list()).toEqual([]);
    const refused = tab(storage, () => fail('rate_limited', 'Too many.', { retryAfterSeconds: 30 }));
    await refused.u.send(request);
    expect(refused.u.list()).toEqual([]);
  });

  it('resends only in its author’s session', async () => {
    const storage = tabStorage();
    await tab(storage, () => unreachable).u.send(request);
    vi.clearAllTimers();
    const bob = tab(storage, () => ok(page()), 'bob');
    bob.u.resendNow();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bob.sent).toEqual([]);
    expect(await bob.u.retryNow(request.idempotencyKey)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('ignores storage it cannot read', () => {
    const storage = tabStorage();
    storage.setItem('klaxon.unsent-pages', '{ not json');
    expect(tab(storage, () => unreachable).u.list()).toEqual([]);
    storage.setItem('klaxon.unsent-pages', JSON.stringify([{ request: {} }]));
    expect(tab(storage, () => unreachable).u.list()).toEqual([]);
  });
});
