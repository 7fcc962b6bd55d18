/**
 * Bytes on the wire with 450 open incidents (a page storm): `GET /api/v1/incidents` and the
 * snapshot that starts every event stream, without and with compression (as a browser asks for
 * it: `Accept-Encoding: gzip, deflate, br`). Real server, On-Call simulator and identity provider.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { startServer, startStack } from '#test/support/server-stack.js';

const INCIDENTS = Number(process.env.KLAXON_BENCH_INCIDENTS ?? 450);
const SERVICES = ['checkout-api', 'payments-gateway', 'search-indexer', 'auth-service', 'media-transcoder'];
const SYMPTOMS = [
  '5xx rate above 5% for 10 minutes',
  'p99 latency above 2 s',
  'queue depth above 10000',
  'disk 95% full on /var/lib/data',
  'certificate expires in 3 days',
];

const stack = await startStack();
const server = await startServer(stack, { oncall: { pollIntervalSeconds: 2 } });
const token = await stack.token('alice', {}, { expiresInSeconds: 3600 });

for (let i = 0; i < INCIDENTS; i++) {
  stack.sim.control.createIncident({
    // Varied like real alert titles (hosts, ids), so compression is not flattered by repetition.
    title: `${SERVICES[i % SERVICES.length]}: ${SYMPTOMS[(i * 7) % SYMPTOMS.length]} on ${SERVICES[(i * 3) % SERVICES.length]}-${randomBytes(3).toString('hex')}.prod-eu-west-${(i % 3) + 1} (${Math.floor(Math.random() * 9000) + 1000} errors)`,
    routingKey: i % 2 === 0 ? 'sre' : 'platform',
  });
}

/** One GET with the raw bytes counted as they arrive (before any decoding), and the decoded text. */
function rawGet(
  path: string,
  encoding: string | null,
  until: (text: string) => boolean = () => false,
): Promise<{ wire: number; text: string; encoding: string | null }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${server.url}${path}`,
      { headers: { authorization: `Bearer ${token}`, ...(encoding ? { 'accept-encoding': encoding } : {}) } },
      (res) => {
        const enc = res.headers['content-encoding'] ?? null;
        let wire = 0;
        let text = '';
        const decoder =
          enc === 'br'
            ? zlib.createBrotliDecompress()
            : enc === 'gzip'
              ? zlib.createGunzip()
              : enc === 'deflate'
                ? zlib.createInflate()
                : null;
        const finish = () => {
          res.destroy();
          resolve({ wire, text, encoding: enc });
        };
        const onText = (chunk: Buffer) => {
          text += chunk.toString();
          if (until(text)) finish();
        };
        res.on('data', (chunk: Buffer) => {
          wire += chunk.length;
          if (decoder) decoder.write(chunk);
          else onText(chunk);
        });
        decoder?.on('data', onText);
        decoder?.on('error', reject);
        res.on('end', () => {
          if (decoder) decoder.end(() => finish());
          else finish();
        });
      },
    );
    req.on('error', reject);
  });
}

const started = Date.now();
for (;;) {
  const r = await rawGet('/api/v1/incidents', null);
  if ((JSON.parse(r.text) as { incidents: unknown[] }).incidents.length >= INCIDENTS) break;
  if (Date.now() - started > 60_000) throw new Error('the server never listed every incident');
  await new Promise((r) => setTimeout(r, 500));
}

const snapshotDone = (text: string) => /event: snapshot\n[^\n]*\n\n/.test(text);
const report: string[] = [];
for (const [label, enc] of [
  ['identity', null],
  ['browser', 'gzip, deflate, br'],
] as const) {
  const list = await rawGet('/api/v1/incidents', enc);
  report.push(`BENCH server-incidents-list-bytes-${label} ${list.wire} bytes (${list.encoding ?? 'identity'})`);
  const sse = await rawGet('/api/v1/events', enc, snapshotDone);
  report.push(`BENCH server-sse-snapshot-bytes-${label} ${sse.wire} bytes (${sse.encoding ?? 'identity'})`);
}
console.log(`${INCIDENTS} incidents, ${SERVICES.length} services, two teams; bytes as they cross the wire`);
for (const line of report) console.log(line);
await server.close();
await stack.close();
