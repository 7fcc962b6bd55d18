import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { ROOT } from './support/stack.js';

// `npm start` as a person runs it (fixed demo ports 8787-8789, and 8791 for the PagerDuty simulator), with --no-open so no browser or
// desktop app is launched; Ctrl+C is a SIGINT to the whole process group, as a terminal sends it.
// Unix only: `spawn('npm')` needs a shell on Windows (npm is npm.cmd there) and a negative pid
// (a process group) does not exist there; the release workflow runs `npm test` on Windows runners.
test.skip(
  process.platform === 'win32',
  'Unix only: starts npm without a shell and stops it with SIGINT to its process group, neither of which exists on Windows.',
);

test('npm start brings up the zero-config demo, serves the UI and the simulator, and stops cleanly on Ctrl+C', async () => {
  test.setTimeout(120_000);
  const child = spawn('npm', ['start', '--silent', '--', '--no-open'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KLAXON_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code !== null ? `exit ${code}` : `signal ${signal}`)),
  );
  try {
    await expect
      .poll(() => out, { timeout: 90_000, message: 'the demo prints that it is running' })
      .toContain('Press Ctrl+C to stop everything.');
    expect(out).toContain('http://127.0.0.1:8787/');
    expect(out).toMatch(/alice\s+Alice Andersen\s+groups: sre, staff/);
    expect(out).toMatch(/eve\s+Eve Evans\s+groups: \(none\)/);
    expect(out).toContain('/_sim/incidents');

    const ui = await fetch('http://127.0.0.1:8787/');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root"></div>');
    const cfg = (await (await fetch('http://127.0.0.1:8787/api/v1/client-config')).json()) as {
      oidc: { issuer: string };
      targets: { id: string; backend?: string }[];
    };
    expect(cfg.oidc.issuer).toBe('http://127.0.0.1:8788');
    // One target on each service: On-Call's, and "SRE on PagerDuty" on the PagerDuty simulator.
    expect(cfg.targets.find((t) => t.id === 'sre')?.backend).toBeUndefined();
    expect(cfg.targets.find((t) => t.id === 'pd-sre')?.backend).toBe('pagerduty');
    expect(out).toContain('PagerDuty simulator     http://127.0.0.1:8791');
    const pdSim = (await (await fetch('http://127.0.0.1:8791/_sim/incidents')).json()) as {
      incidents: { title: string }[];
    };
    expect(pdSim.incidents.map((i) => i.title)).toContain('Checkout latency above SLO');
    const sim = (await (await fetch('http://127.0.0.1:8789/_sim/incidents')).json()) as {
      incidents: { entityDisplayName: string }[];
    };
    expect(sim.incidents.map((i) => i.entityDisplayName)).toEqual(
      expect.arrayContaining(['Checkout latency above SLO', 'Elevated 5xx on edge cache']),
    );
    const discovery = await fetch('http://127.0.0.1:8788/.well-known/openid-configuration');
    expect(discovery.status).toBe(200);

    // On-Call stops answering the incident list: the server warns, as a short line a person reads
    // (no raw JSON), shown once rather than on every poll, and the way in is repeated under it.
    await fetch('http://127.0.0.1:8789/_sim/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, paths: ['/api-public/v1/incidents'] }),
    });
    await expect
      .poll(() => out, { timeout: 30_000, message: 'a warning, then the reminder' })
      .toMatch(
        /\d\d:\d\d:\d\d WARN {2}On-Call incident poll failed[^\n]*\n(?:[^\n]*\n)*?— Klaxon demo: web UI http:\/\/127\.0\.0\.1:8787\/ · sign in as alice, bob, carol or eve/,
      );
    await fetch('http://127.0.0.1:8789/_sim/faults', { method: 'DELETE' });
    expect(out).not.toMatch(/^\{"level"/m);
    expect(out.match(/WARN {2}On-Call incident poll failed/g)).toHaveLength(1);

    process.kill(-child.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    // npm itself ends the way a terminal's Ctrl+C ends it (by the signal, or 0); the demo must have
    // shut every part down in order and said so.
    expect(['exit 0', 'signal SIGINT'], out).toContain(code);
    expect(out).toContain('Stopped.');
    expect(out).not.toContain('could not start');
    await expect(fetch('http://127.0.0.1:8787/')).rejects.toThrow();
    await expect(fetch('http://127.0.0.1:8789/_sim/incidents')).rejects.toThrow();
    await expect(fetch('http://127.0.0.1:8791/_sim/incidents')).rejects.toThrow();
  } finally {
    try {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
