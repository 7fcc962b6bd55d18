// Every metric name the alert rules (deploy/prometheus/) and the Grafana dashboard (deploy/grafana/)
// use must be one a real Klaxon server exports at /metrics: a renamed or missing metric would leave a
// rule that never fires and a panel that shows nothing. A family counts when /metrics has its
// HELP/TYPE lines, even with no samples yet (prom-client writes labelled metrics that way).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, startStack, type Stack } from '#test/support/server-stack.js';
import { metricNames } from '#test/support/prometheus-text.js';

const deploy = path.resolve(import.meta.dirname, '../../../deploy');
const files = [
  ...readdirSync(path.join(deploy, 'prometheus'))
    .filter((f) => f.endsWith('.rules.yml'))
    .map((f) => `prometheus/${f}`),
  'grafana/klaxon.json',
];

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let exported: Set<string>;
/** Metric families (their TYPE lines). */
let families: string[];

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack);
  const text = (await api(`${server.url}/metrics`)).body as string;
  exported = metricNames(text);
  families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  // A histogram's or summary's samples carry suffixes; queries use them before any sample exists.
  for (const m of text.matchAll(/^# TYPE (\S+) (histogram|summary)$/gm))
    for (const s of ['_bucket', '_sum', '_count']) exported.add(`${m[1]}${s}`);
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

/** Every Klaxon metric name a text mentions (expressions, descriptions, comments alike). */
const namesIn = (text: string): string[] => [...new Set(text.match(/\bklaxon_[a-z0-9_]+\b/g) ?? [])];

/** The operator's reference: the "Metrics and alerts" section of docs/operations.md. */
function metricsSection(): string {
  const doc = readFileSync(path.resolve(deploy, '../docs/operations.md'), 'utf8');
  const start = doc.indexOf('\n## Metrics and alerts\n');
  expect(start, 'docs/operations.md has a "## Metrics and alerts" section').toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

describe('metric names used in deploy/ exist at /metrics', () => {
  it.each(files)('%s', (file) => {
    const names = namesIn(readFileSync(path.join(deploy, file), 'utf8'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('docs/operations.md (Metrics and alerts)', () => {
    expect(namesIn(metricsSection()).filter((n) => !exported.has(n))).toEqual([]);
  });
});

describe('docs/operations.md documents every metric and every alert', () => {
  it("names every Klaxon metric family the server exports (prom-client's process and Node.js ones aside)", () => {
    const section = metricsSection();
    const own = families.filter((n) => !/^klaxon_(process|nodejs)_/.test(n));
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter((n) => !section.includes(`\`${n}`))).toEqual([]);
  });

  it('names every alert of deploy/prometheus/', () => {
    const section = metricsSection();
    const alerts = files
      .filter((f) => f.endsWith('.rules.yml'))
      .flatMap((f) =>
        [...readFileSync(path.join(deploy, f), 'utf8').matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]!),
      );
    expect(alerts.length).toBeGreaterThan(10);
    expect(alerts.filter((a) => !section.includes(`\`${a}\``))).toEqual([]);
  });
});
