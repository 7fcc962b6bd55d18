// The alert rules in deploy/prometheus/ checked and unit-tested by Prometheus' own `promtool`
// (Debian's `prometheus` package; .ci/run installs it). Every test group of a `*.rules.test.yml`
// runs as its own test, so `npm test` counts each group and names the one that fails; and every
// alert must be expected to fire in at least one group.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { promtool } from '#test/support/promtool.js';

const dir = path.resolve(import.meta.dirname, '../../../../deploy/prometheus');
const scratch = mkdtempSync(path.join(tmpdir(), 'klaxon-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}
interface TestGroup {
  name?: string;
  alert_rule_test?: AlertTest[];
}
interface TestFile {
  rule_files: string[];
  tests: TestGroup[];
}
interface RuleFile {
  groups: { rules: { alert?: string }[] }[];
}

const ruleFiles = readdirSync(dir).filter((f) => f.endsWith('.rules.yml'));
const testFiles = readdirSync(dir).filter((f) => f.endsWith('.rules.test.yml'));

it('deploy/prometheus has rule files, each with its test file', () => {
  expect(ruleFiles.length).toBeGreaterThan(0);
  expect(testFiles.sort()).toEqual(ruleFiles.map((f) => f.replace(/\.rules\.yml$/, '.rules.test.yml')).sort());
});

describe.each(ruleFiles)('%s', (file) => {
  it('passes promtool check rules', async () => {
    const r = await promtool(['check', 'rules', path.join(dir, file)]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code, r.output).toBe(0);
  });

  it('has every alert expected to fire in some test group', () => {
    const rules = parse(readFileSync(path.join(dir, file), 'utf8')) as RuleFile;
    const alerts = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
    const tests = parse(
      readFileSync(path.join(dir, file.replace(/\.rules\.yml$/, '.rules.test.yml')), 'utf8'),
    ) as TestFile;
    const fired = new Set(
      tests.tests.flatMap((g) =>
        (g.alert_rule_test ?? []).filter((t) => (t.exp_alerts ?? []).length > 0).map((t) => t.alertname),
      ),
    );
    expect(alerts.filter((a) => !fired.has(a))).toEqual([]);
  });
});

describe.each(testFiles)('%s', (file) => {
  const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as TestFile;
  it.each(doc.tests.map((g, i) => [g.name ?? `group ${i + 1}`, i] as const))('%s', async (_name, i) => {
    // One group per run, with the rule files found from anywhere.
    const one = path.join(scratch, `${path.basename(file, '.yml')}-${i}.yml`);
    writeFileSync(
      one,
      stringify({ ...doc, rule_files: doc.rule_files.map((f) => path.resolve(dir, f)), tests: [doc.tests[i]] }),
    );
    const r = await promtool(['test', 'rules', one], scratch);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS/);
  });
});
