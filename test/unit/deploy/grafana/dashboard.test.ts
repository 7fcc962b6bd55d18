// deploy/grafana/klaxon.json imports into Grafana as one dashboard: panels that do not overlap, a
// Prometheus data source chosen on import, and queries that Prometheus parses (checked by promtool
// on each query, with the dashboard's variables filled in). Its metric names are checked against a
// real server in test/integration/deploy/metrics-exist.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { promtool } from '#test/support/promtool.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string }[];
}
const file = path.resolve(import.meta.dirname, '../../../../deploy/grafana/klaxon.json');
const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string }[] };
};
const queries = dashboard.panels.filter((p) => p.type !== 'row');

describe('the Grafana dashboard', () => {
  it('has a uid, a Prometheus data source variable and a job variable', () => {
    expect(dashboard.uid).toBe('klaxon-server');
    expect(dashboard.templating.list.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['job', 'query'],
    ]);
  });

  it('has unique panel ids, panels inside the 24-column grid that do not overlap', () => {
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Map<string, string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.get(`${i},${j}`), `${p.title} overlaps`).toBeUndefined();
          cells.set(`${i},${j}`, p.title);
        }
    }
  });

  it('queries Prometheus from every panel, through the chosen data source and job', () => {
    for (const p of queries) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.expr, p.title).toMatch(/job=~"\$job"/);
    }
  });

  it('has queries Prometheus parses (promtool)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-grafana-'));
    try {
      const rules = queries.flatMap((p) =>
        p.targets!.map((t, i) => ({
          record: `panel_${p.id}_${i}`,
          expr: t.expr.replaceAll('$job', 'klaxon').replaceAll('$__rate_interval', '5m'),
        })),
      );
      const one = path.join(dir, 'queries.yml');
      writeFileSync(one, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const out = await promtool(['check', 'rules', one]);
      expect(out.code, out.output).toBe(0);
      expect(out.output).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
