/**
 * `npm test`: every check and suite in order, then one plain line "N passed, N failed, N skipped"
 * totalled over all of them (CI reads that line; vitest's and Playwright's own summaries are not read).
 * Checks that are not test suites (typecheck, lint, format, unused code, build, security scan) count as one test each.
 * A skipped test is never counted as passed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, '.test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const lines: string[] = [];

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    // npx/npm are .cmd shims on Windows (release workflow runners), which only a shell can start.
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env },
      shell: process.platform === 'win32',
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function check(name: string, cmd: string, args: string[]): Promise<void> {
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const code = await run(cmd, args);
  if (code === 0) total.passed++;
  else total.failed++;
  lines.push(`${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function vitest(): Promise<void> {
  const t0 = Date.now();
  const file = path.join(out, 'vitest.json');
  console.log('\n=== vitest (unit + integration)');
  const code = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${file}`]);
  const r = readJson<{
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numTotalTestSuites: number;
    testResults: { status: string; message?: string }[];
  }>(file);
  if (!r) {
    total.failed++;
    lines.push(`vitest: no report (exit ${code})`);
    return;
  }
  // A suite that fails to load has no tests in it but must still count as a failure.
  const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && f.message).length;
  const failed = r.numFailedTests + (r.numFailedTests === 0 && code !== 0 ? Math.max(1, brokenFiles) : 0);
  total.passed += r.numPassedTests;
  total.failed += failed;
  total.skipped += r.numPendingTests + r.numTodoTests;
  lines.push(
    `vitest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

async function playwright(name: string, config: string): Promise<void> {
  if (!existsSync(path.join(root, config))) return;
  const t0 = Date.now();
  const file = path.join(out, `${name}.json`);
  console.log(`\n=== ${name}: playwright test -c ${config}`);
  const code = await run('npx', ['playwright', 'test', '-c', config, '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: file,
  });
  const r = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(file);
  if (!r) {
    total.failed++;
    lines.push(`${name}: no report (exit ${code})`);
    return;
  }
  const { expected, unexpected, flaky, skipped } = r.stats;
  const failed = unexpected + (unexpected === 0 && code !== 0 ? 1 : 0);
  total.passed += expected + flaky;
  total.failed += failed;
  total.skipped += skipped;
  lines.push(
    `${name}: ${expected + flaky} passed, ${failed} failed, ${skipped} skipped in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

// `npm test` put node_modules/.bin first on PATH, so this process and every check it starts run on the
// Node of the devDependency `node` (package.json): say which, once.
console.log(`=== Node ${process.version} (${process.execPath})`);
await check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
await check('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
await check('format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']);
// Unused files, exports and dependencies (knip.json names the entry points).
await check('unused code', 'npx', ['knip', '--no-progress']);
if (existsSync(path.join(root, 'renderer/vite.config.mts'))) await check('build', 'npm', ['run', '--silent', 'build']);
await vitest();
await playwright('e2e', 'test/e2e/playwright.config.ts');
await playwright('electron', 'test/electron/playwright.config.ts');
if (existsSync(path.join(root, 'test/security/electronegativity.ts')))
  await check('electronegativity', 'npx', ['tsx', 'test/security/electronegativity.ts']);

console.log('\n=== summary');
for (const l of lines) console.log(l);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
