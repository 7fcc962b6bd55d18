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

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack);
  const text = (await api(`${server.url}/metrics`)).body as string;
  exported = metricNames(text);
  // A histogram's or summary's samples carry suffixes; queries use them before any sample exists.
  for (const m of text.matchAll(/^# TYPE (\S+) (histogram|summary)$/gm))
    for (const s of ['_bucket', '_sum', '_count']) exported.add(`${m[1]}${s}`);
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

/** Every Klaxon metric name a file mentions (expressions, descriptions, comments alike). */
const namesIn = (file: string): string[] => [
  ...new Set(readFileSync(path.join(deploy, file), 'utf8').match(/\bklaxon_[a-z0-9_]+\b/g) ?? []),
];

describe('metric names used in deploy/ exist at /metrics', () => {
  it.each(files)('%s', (file) => {
    const names = namesIn(file);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });

  it('notices a name the server does not export', () => {
    expect(exported.has('klaxon_pages_created_total')).toBe(true);
    expect(exported.has('klaxon_no_such_metric_total')).toBe(false);
  });
});
