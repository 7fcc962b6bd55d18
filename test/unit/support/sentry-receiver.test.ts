// The Sentry stand-in the error-report tests rely on (test/support/sentry-receiver.ts): it must
// read what real SDKs send (gzip, length-delimited items, several items) and see secrets in any form.
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSentryReceiver, type SentryReceiver } from '#test/support/sentry-receiver.js';

let receiver: SentryReceiver;
beforeEach(async () => {
  receiver = await startSentryReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${receiver.origin}${path}`, { method: 'POST', body, headers });

describe('startSentryReceiver', () => {
  it('parses a gzipped envelope with a length-delimited attachment and an event', async () => {
    const attachment = 'line one\nline two';
    const body = [
      JSON.stringify({ event_id: 'abc', dsn: receiver.dsn('3') }),
      JSON.stringify({ type: 'attachment', length: Buffer.byteLength(attachment), filename: 'a.txt' }),
      attachment,
      JSON.stringify({ type: 'event' }),
      JSON.stringify({ event_id: 'abc', message: 'Grüße', tags: { 'klaxon.process': 'server' } }),
    ].join('\n');
    const r = await post('/api/3/envelope/?sentry_key=k', new Uint8Array(gzipSync(body)), {
      'content-encoding': 'gzip',
    });
    expect(r.status).toBe(200);
    expect(receiver.envelopes).toHaveLength(1);
    expect(receiver.envelopes[0]!.items.map((i) => i.header.type)).toEqual(['attachment', 'event']);
    expect(receiver.envelopes[0]!.items[0]!.payload).toBe(attachment);
    expect(await receiver.waitForEvent((e) => e.message === 'Grüße')).toMatchObject({ event_id: 'abc' });
  });

  it('finds secrets as they are, JSON-escaped or URL-encoded, in bodies, URLs and headers', async () => {
    await post('/api/3/envelope/', `{}\n{"type":"event"}\n${JSON.stringify({ message: 'say "hi" <x@y.org>' })}`, {
      'x-note': 'header-secret',
    });
    await post('/api/3/envelope/?q=a%20b%40c', '{}');
    expect(receiver.secretsFound(['say "hi"', 'x@y.org', 'header-secret', 'a b@c', 'absent'])).toEqual([
      'say "hi"',
      'x@y.org',
      'header-secret',
      'a b@c',
    ]);
  });

  it('counts anything else as a stray request', async () => {
    expect((await post('/api/3/store/', '{}')).status).toBe(404);
    expect((await post('/api/3/envelope/', 'not an envelope')).status).toBe(400);
    expect(receiver.envelopes).toEqual([]);
    expect(receiver.strayRequests).toHaveLength(2);
  });
});
