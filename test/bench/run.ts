/**
 * `npm run bench`: runs every test/bench/*.bench.ts (or those named on the command line) one after
 * another in its own process, passes its output through, and ends with every figure, one line each:
 * `name value unit`. A benchmark prints its figures as `BENCH <name> <value> <unit>` lines.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

const figures: string[] = [];
const failures: string[] = [];
for (const file of files) {
  console.log(`\n=== ${file}`);
  const t0 = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith('BENCH ')) figures.push(line.slice(6));
      }
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  console.log(
    `=== ${file}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (code !== 0) failures.push(file);
}

console.log('\n=== figures (name value unit)');
for (const f of figures) console.log(f);
if (failures.length) {
  console.log(`\nbenchmarks that failed: ${failures.join(', ')}`);
  process.exit(1);
}
