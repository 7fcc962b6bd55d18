/**
 * `npm run test:security`: Electronegativity over electron/ (+ renderer/index.html for the CSP).
 * Exit 1 on any MEDIUM-or-above finding outside the justified allowlist, and on a report that cannot
 * be trusted (wrong header, malformed rows, the canary finding missing, after one retry); prints a summary.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { KLAXON_CANARY, allowedBy, judge, scan } from './electronegativity-gate.js';

const root = path.resolve(import.meta.dirname, '../..');
const inputs = ['electron', ...(existsSync(path.join(root, 'renderer/index.html')) ? ['renderer/index.html'] : [])];
const t0 = Date.now();
let findings;
try {
  findings = await scan(root, inputs, { canary: KLAXON_CANARY });
} catch (e) {
  console.error(`electronegativity: could not scan (${e instanceof Error ? e.message : String(e)})`);
  process.exit(1);
}
const { failing, allowed, below } = judge(findings);
const line = (f: (typeof findings)[number]) =>
  `  ${f.severity.padEnd(6)} ${f.issue} ${f.filename}:${f.location}  ${f.sample.slice(0, 100)}`;
console.log(
  `electronegativity: scanned ${inputs.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${findings.length} finding(s)`,
);
if (below.length) console.log(`below MEDIUM (reported, not failing):\n${below.map(line).join('\n')}`);
if (allowed.length) {
  console.log('allowed manual-review findings:');
  for (const f of allowed) console.log(`${line(f)}\n      why: ${allowedBy(f)!.why}`);
}
if (failing.length) {
  console.error(
    `FAILED: ${failing.length} finding(s) at MEDIUM or above:\n${failing.map((f) => `${line(f)}\n      ${f.description} (${f.url})`).join('\n')}`,
  );
  process.exit(1);
}
console.log('electronegativity: no finding at MEDIUM or above outside the allowlist');
