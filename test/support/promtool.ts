import { execFile } from 'node:child_process';

/**
 * Runs Prometheus' `promtool` (Debian's `prometheus` package; .ci/run installs it). Resolves with its
 * exit code and output; when it is not installed, the output says so and the code is -1.
 */
export function promtool(args: string[], cwd?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('promtool', args, { cwd }, (err, stdout, stderr) => {
      if (err?.code === 'ENOENT')
        resolve({
          code: -1,
          output: "promtool was not found on the PATH: install Debian's prometheus package (.ci/run does).",
        });
      else resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, output: `${stdout}${stderr}` });
    });
  });
}
