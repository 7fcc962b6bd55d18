/**
 * Main-process heap of Klaxon desktop with 1 000 open incidents. The desktop core runs in its own
 * Node process (as the Electron main process would), signed in and live against the real server;
 * the IdP, simulator and server run in this process so they do not count. Heap is measured after
 * a forced GC, first with the demo's 2 incidents (baseline), then with 1 000.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import v8 from 'node:v8';
import vm from 'node:vm';

const INCIDENTS = 1000;

if (process.argv[2] === '--core') {
  // ---- child: the desktop core alone
  const { createDesktopCore } = await import('#electron/desktop-core.js');
  const { memoryTokenStore } = await import('#electron/token-vault.js');
  const { completeLogin } = await import('#dev/identity-provider/index.js');
  const os = await import('node:os');
  const path = await import('node:path');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const core = createDesktopCore({
    settings: {
      policy: { serverUrl: process.argv[3]! },
      userSettingsFile: path.join(os.tmpdir(), `klaxon-heap-${process.pid}.json`),
    },
    tokenStore: memoryTokenStore(),
    openBrowser: async (u) => {
      await completeLogin(u, 'alice');
    },
    allowInsecureIssuer: true,
    log: () => {},
  });
  await core.start();
  await core.invoke('auth:sign-in', undefined);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const want = Number(line);
    for (let i = 0; i < 600; i++) {
      const s = core.state.get();
      if (s.link.status === 'live' && (s.snapshot?.incidents.length ?? -1) >= want) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const n = core.state.get().snapshot?.incidents.length ?? 0;
    console.log(JSON.stringify({ incidents: n, heapUsed: heap() }));
  }
  await core.stop();
  process.exit(0);
}

// ---- parent: the stack, and the questions to the child
const { startDesktopStack } = await import('../support/desktop-stack.js');
const stack = await startDesktopStack({ sim: { seed: 'demo', rateLimit: false } });
try {
  await stack.startServer({ oncall: { pollIntervalSeconds: 2 } });
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--core', stack.serverUrl], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ask = async (n: number) => {
    child.stdin!.write(`${n}\n`);
    const r = await lines.next();
    return JSON.parse(String(r.value)) as { incidents: number; heapUsed: number };
  };
  const base = await ask(2);
  for (let i = 0; i < INCIDENTS - base.incidents; i++)
    stack.sim.control.createIncident({
      title: `Synthetic incident ${i + 1}: elevated error rate on service-${i % 37}`,
      routingKey: i % 2 ? 'sre' : 'platform',
    });
  const full = await ask(INCIDENTS);
  child.stdin!.end();
  await once(child, 'exit');
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  console.log(
    `baseline ${base.incidents} incidents: ${mb(base.heapUsed)} MB; with ${full.incidents} incidents: ${mb(full.heapUsed)} MB`,
  );
  if (full.incidents < INCIDENTS) throw new Error(`only ${full.incidents} incidents reached the desktop`);
  console.log(`BENCH desktop.heap.baseline ${mb(base.heapUsed)} MB`);
  console.log(`BENCH desktop.heap.incidents1000 ${mb(full.heapUsed)} MB`);
  console.log(
    `BENCH desktop.heap.per-incident ${Math.round((full.heapUsed - base.heapUsed) / (full.incidents - base.incidents))} bytes`,
  );
} finally {
  await stack.close();
}
