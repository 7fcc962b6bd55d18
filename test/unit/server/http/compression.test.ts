// Compressed answers (server/http/compression.ts and the event stream's gzip in
// server/live/event-stream.ts): large JSON answers and the event stream are compressed for clients
// that ask, the same content arrives, and live events still arrive at once.
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '#test/support/sse-test-client.js';
import { MemoryBackend, memoryIncident, startMemoryApp, type MemoryApp } from '#test/support/memory-backend.js';

let backend: MemoryBackend;
let klaxon: MemoryApp;
let url: string;
beforeAll(async () => {
  backend = new MemoryBackend();
  backend.incidents = Array.from({ length: 450 }, (_, i) =>
    memoryIncident(String(1000 + i), {
      title: `checkout-api: 5xx rate above 5% for 10 minutes (prod-eu-west-${(i % 3) + 1})`,
      link: `https://portal.victorops.com/client/demo/popoutIncident?incidentName=${1000 + i}`,
    }),
  );
  klaxon = await startMemoryApp(backend, { oncall: { pollIntervalSeconds: 2 } });
  url = await klaxon.app.listen({ host: '127.0.0.1', port: 0 });
  await klaxon.hub.refreshNow('test');
});
afterAll(() => klaxon.close());

const alice = { 'x-test-sub': 'alice' };

/** A GET with its raw (undecoded) body. */
function get(path: string, acceptEncoding?: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(
        `${url}${path}`,
        { headers: { ...alice, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        },
      )
      .on('error', reject);
  });
}

describe('compressed JSON answers', () => {
  it('GET /api/v1/incidents: brotli or gzip as asked, the same JSON, a fraction of the bytes', async () => {
    const plain = await get('/api/v1/incidents');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await get('/api/v1/incidents', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    const gz = await get('/api/v1/incidents', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    const json = (b: Buffer) => JSON.parse(b.toString()) as { incidents: unknown[]; fetchedAt: string };
    expect(json(zlib.brotliDecompressSync(br.body)).incidents).toEqual(json(plain.body).incidents);
    expect(json(zlib.gunzipSync(gz.body)).incidents).toEqual(json(plain.body).incidents);
    expect(br.body.length).toBeLessThan(plain.body.length / 5);
    expect(gz.body.length).toBeLessThan(plain.body.length / 5);
  });

  it('small answers and clients that do not ask stay as they are', async () => {
    expect((await get('/api/v1/me', 'gzip, br')).headers['content-encoding']).toBeUndefined();
    expect((await get('/api/v1/incidents', 'identity')).headers['content-encoding']).toBeUndefined();
    expect((await get('/api/v1/incidents', 'gzip;q=0, br;q=0')).headers['content-encoding']).toBeUndefined();
  });
});

describe('the event stream, gzip', () => {
  it('compresses the snapshot, delivers each live event at once, and ends as valid gzip', async () => {
    const plain = await openSse(`${url}/api/v1/events`, alice);
    await plain.next((e) => e.type === 'snapshot');
    const gz = await openSse(`${url}/api/v1/events`, { ...alice, 'accept-encoding': 'gzip, deflate, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const snapshot = await gz.next((e) => e.type === 'snapshot');
    expect(snapshot.type === 'snapshot' && snapshot.data.incidents.incidents).toHaveLength(450);
    expect(gz.wireBytes).toBeLessThan(plain.wireBytes / 5);

    // A live change arrives while the stream stays open (each event is flushed, not buffered).
    backend.incidents = [...backend.incidents, memoryIncident('2000', { title: 'New one' })];
    await klaxon.hub.refreshNow('test');
    const opened = await gz.next((e) => e.type === 'incident' && e.data.incident.number === '2000');
    expect(opened.type === 'incident' && opened.data.incident.title).toBe('New one');
    expect(gz.ended).toBe(false);
    expect(gz.invalid).toEqual([]);

    // A server shutdown ends the stream with the gzip trailer: the whole body is one valid gzip member.
    klaxon.events.close();
    await gz.waitEnd();
    const text = zlib.gunzipSync(Buffer.concat(gz.raw)).toString();
    expect(text).toMatch(/^retry: \d+\n\nid: \d+\nevent: snapshot\n/);
    expect(text).toContain('"title":"New one"');
    plain.close();
  });
});
