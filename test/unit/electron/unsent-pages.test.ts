// UnsentPages (electron/unsent-pages.ts): a page the server has not confirmed is kept in a file,
// resent with the same idempotency key until the server answers, across restarts of the app.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, ok, type Page, type Result, type UnsentPage, type ValidPageRequest } from '#common/index.js';
import { UnsentPages, fileUnsentPagesStore } from '#electron/unsent-pages.js';
import { ManualClock, flush } from '#test/support/manual-clock.js';
import { page } from '#test/support/renderer-fixtures.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-unsent-'));
  file = path.join(dir, 'unsent-pages.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request: ValidPageRequest = {
  summary: 'Login broken for everyone',
  details: 'Since 09:40.',
  idempotencyKey: 'klx-0123456789abcdef',
};
const unreachable = fail('upstream_unavailable', 'Klaxon cannot reach the server (ECONNREFUSED).');

/** A server that answers what the test says, recording every request it got. */
function fakeServer() {
  const sent: ValidPageRequest[] = [];
  let answer: (r: ValidPageRequest) => Result<Page> = () => unreachable;
  return {
    sent,
    answerWith(f: (r: ValidPageRequest) => Result<Page>) {
      answer = f;
    },
    send: async (r: ValidPageRequest) => {
      sent.push(structuredClone(r));
      return answer(r);
    },
  };
}

function outbox(server: ReturnType<typeof fakeServer>, clock: ManualClock, who: { sub: string | null }) {
  const accepted: Page[] = [];
  const changes: UnsentPage[][] = [];
  const u = new UnsentPages({
    store: fileUnsentPagesStore(file),
    send: server.send,
    signedInAs: () => who.sub,
    onAccepted: (p) => accepted.push(p),
    onChange: (l) => changes.push(l),
    timers: clock,
    random: () => 0.5,
  });
  return { u, accepted, changes };
}

describe('unsent pages, kept by the main process', () => {
  it('keeps a Send without an answer in a file and resends the same request until the server accepts it', async () => {
    const clock = new ManualClock();
    const server = fakeServer();
    const { u, accepted, changes } = outbox(server, clock, { sub: 'alice' });
    await u.start();

    expect(await u.send(request, 'SRE on call')).toEqual(unreachable);
    expect(u.list()).toMatchObject([{ request, attempts: 1, refusal: null, lastError: unreachable.error.message }]);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { pages: UnsentPage[] };
    expect(saved.pages.map((p) => p.request)).toEqual([request]);
    expect(statSync(file).mode & 0o077).toBe(0); // the owner's only

    await clock.advance(1500);
    expect(server.sent).toHaveLength(2);
    expect(u.list()[0]?.attempts).toBe(2);

    const p = page({ summary: request.summary });
    server.answerWith(() => ok(p));
    await clock.advance(3000);
    expect(accepted).toEqual([p]);
    expect(u.list()).toEqual([]);
    expect(changes.at(-1)).toEqual([]);
    await vi.waitFor(() => expect((JSON.parse(readFileSync(file, 'utf8')) as { pages: unknown[] }).pages).toEqual([]));
    // Every attempt was the first request, byte for byte: the server can only ever make one page of it.
    expect(new Set(server.sent.map((r) => JSON.stringify(r))).size).toBe(1);
    u.stop();
  });

  it('survives a restart: the next run loads it and sends it once its author is signed in', async () => {
    const server = fakeServer();
    const first = outbox(server, new ManualClock(), { sub: 'alice' });
    await first.u.start();
    await first.u.send(request, 'SRE on call');
    first.u.stop();

    const clock = new ManualClock();
    const who: { sub: string | null } = { sub: null };
    const again = outbox(server, clock, who);
    await again.u.start();
    expect(again.u.list()).toMatchObject([{ request, targetLabel: 'SRE on call' }]);
    expect(again.changes).toHaveLength(1); // the popover hears about it at once
    await clock.advance(60_000);
    expect(server.sent).toHaveLength(1); // nobody signed in: nothing sent

    who.sub = 'bob';
    again.u.resendNow();
    await flush();
    expect(server.sent).toHaveLength(1); // not bob's page

    who.sub = 'alice';
    server.answerWith(() => ok(page()));
    again.u.resendNow();
    await flush();
    expect(server.sent).toHaveLength(2);
    expect(again.accepted).toHaveLength(1);
    await vi.waitFor(() => expect(again.u.list()).toEqual([]));
    again.u.stop();
  });

  it('marks a kept page NOT sent on a definitive refusal, stops trying, and forgets it on Discard', async () => {
    const clock = new ManualClock();
    const server = fakeServer();
    const { u } = outbox(server, clock, { sub: 'alice' });
    await u.start();
    await u.send(request, 'SRE on call');
    server.answerWith(() => fail('forbidden', 'Your account may no longer page SRE.'));
    expect(await u.retryNow(request.idempotencyKey)).toEqual(ok(null));
    expect(u.list()).toMatchObject([
      { refusal: { code: 'forbidden', message: 'Your account may no longer page SRE.' }, nextAttemptAt: null },
    ]);
    await clock.advance(10 * 60_000);
    expect(server.sent).toHaveLength(2);

    await u.discard(request.idempotencyKey);
    expect(u.list()).toEqual([]);
    expect(await u.retryNow(request.idempotencyKey)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    u.stop();
  });

  it('does not keep a first Send the server refused: the dialog shows that refusal', async () => {
    const server = fakeServer();
    server.answerWith(() => fail('rate_limited', 'Too many pages.', { retryAfterSeconds: 254 }));
    const { u } = outbox(server, new ManualClock(), { sub: 'alice' });
    await u.start();
    expect(await u.send(request, 'SRE on call')).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(u.list()).toEqual([]);
    u.stop();
  });

  it('a page discarded while on its way stays discarded unless the server took it', async () => {
    const clock = new ManualClock();
    const server = fakeServer();
    const { u, accepted } = outbox(server, clock, { sub: 'alice' });
    await u.start();
    await u.send(request, 'SRE on call');
    let release: (r: Result<Page>) => void = () => {};
    const slow = { ...server, send: () => new Promise<Result<Page>>((r) => (release = r)) };
    const { u: u2 } = outbox(slow as ReturnType<typeof fakeServer>, clock, { sub: 'alice' });
    await u2.start();
    const retry = u2.retryNow(request.idempotencyKey);
    await u2.discard(request.idempotencyKey);
    release(unreachable);
    await retry;
    expect(u2.list()).toEqual([]);
    expect(accepted).toEqual([]);
    u.stop();
    u2.stop();
  });

  it('drops saved entries that are not unsent pages, and starts empty from a damaged file', async () => {
    writeFileSync(file, JSON.stringify({ version: 1, pages: [{ request: { summary: '' } }] }));
    const logs: string[] = [];
    const u = new UnsentPages({
      store: fileUnsentPagesStore(file),
      send: async () => unreachable,
      signedInAs: () => 'alice',
      onAccepted: () => {},
      onChange: () => {},
      timers: new ManualClock(),
      log: (m) => logs.push(m),
    });
    await u.start();
    expect(u.list()).toEqual([]);
    expect(logs[0]).toMatch(/dropped an entry/);
    writeFileSync(file, '{ not json');
    await u.start();
    expect(logs[1]).toMatch(/could not read the saved list/);
    u.stop();
  });
});
