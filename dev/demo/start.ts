/**
 * `npm start`: the whole Klaxon stack on loopback with no configuration at all.
 *   identity provider :8788 · On-Call simulator :8789 (demo seed) · PagerDuty simulator :8791 (demo
 *   account) · Klaxon server :8787 (+ web UI), with targets on both services
 * then Klaxon desktop if this machine has an Electron binary, otherwise the web UI in the default
 * browser. `--no-open` starts nothing graphical (tests). Ctrl+C stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startIdentityProvider, type RunningIdp } from '../identity-provider/index.js';
import { startOnCallSimulator, type RunningSimulator } from '../oncall-simulator/index.js';
import { startPagerDutySimulator, type RunningPagerDutySimulator } from '../pagerduty-simulator/index.js';
import { demoIrcOverrides, ircServerPresent, ircText } from './demo-irc.js';
import { loadServerConfig, startKlaxonServer, type RunningServer } from '#server/index.js';
import { desktopSources, isStale, rendererSources } from './build-freshness.js';
import { accountsText, reminderText, triggerText } from './demo-text.js';
import { findElectronBinary } from './electron-binary.js';
import { createDemoLog } from './pretty-log.js';

const root = path.resolve(import.meta.dirname, '../..');
const noOpen = process.argv.includes('--no-open');
// 8790 is the PagerDuty simulator's own default (`npm run dev:pagerduty`), so the demo's is 8791.
const PORTS = { server: 8787, idp: 8788, simulator: 8789, pagerduty: 8791 } as const;
const SERVER_URL = `http://127.0.0.1:${PORTS.server}`;

const running: {
  idp: RunningIdp | null;
  sim: RunningSimulator | null;
  pd: RunningPagerDutySimulator | null;
  server: RunningServer | null;
} = { idp: null, sim: null, pd: null, server: null };
let desktop: ChildProcess | null = null;
let stopping = false;
let demoLog: ReturnType<typeof createDemoLog> | null = null;

const say = (s = '') => process.stdout.write(`${s}\n`);

function runOrFail(what: string, args: string[]): void {
  say(`${what}…`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0)
    throw new Error(`${what} failed (exit ${r.status}). Fix the error above and run npm start again.`);
}

function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => say(`(Could not open a browser here; open ${url} yourself.)`));
    child.unref();
  } catch {
    say(`(Could not open a browser here; open ${url} yourself.)`);
  }
}

function inUse(e: unknown, what: string, port: number): Error {
  const code = (e as { code?: string }).code;
  return code === 'EADDRINUSE'
    ? new Error(`Port ${port} (${what}) is already in use: is another "npm start" running? Stop it and try again.`)
    : (e as Error);
}

async function start(): Promise<void> {
  process.chdir(root); // the demo config's relative paths (SQLite file, web UI) are relative to the project
  // Rebuild after an edit too: serving a UI older than its sources makes a demo lie about the code.
  const rendererIndex = path.join(root, 'dist/renderer/index.html');
  if (isStale(rendererIndex, rendererSources(root))) {
    runOrFail(
      existsSync(rendererIndex)
        ? 'Rebuilding the web UI (renderer/ or common/ changed since the last build)'
        : 'Building the web UI (first run)',
      [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.mts'],
    );
  }

  const idp = await startIdentityProvider({ port: PORTS.idp }).catch((e: unknown) =>
    Promise.reject(inUse(e, 'identity provider', PORTS.idp)),
  );
  running.idp = idp;
  await idp.registerWebClient({
    clientId: 'klaxon-web',
    clientSecret: 'demo-web-secret',
    redirectUris: [`${SERVER_URL}/auth/callback`],
  });
  const sim = await startOnCallSimulator({
    port: PORTS.simulator,
    seed: 'demo',
    org: 'realistic',
    consistencyDelayMs: 2000,
  }).catch((e: unknown) => Promise.reject(inUse(e, 'On-Call simulator', PORTS.simulator)));
  running.sim = sim;
  const pd = await startPagerDutySimulator({ port: PORTS.pagerduty, seed: 'demo' }).catch((e: unknown) =>
    Promise.reject(inUse(e, 'PagerDuty simulator', PORTS.pagerduty)),
  );
  running.pd = pd;

  // Chat announcements only when someone runs an IRC server here: nothing to set up, nothing to break.
  const irc = await ircServerPresent();
  const config = loadServerConfig({
    file: path.join(root, 'dev/config/demo-server.yaml'),
    ...(irc ? { overrides: demoIrcOverrides } : {}),
  });
  mkdirSync(path.dirname(config.storage.sqlitePath), { recursive: true });
  // Pretty, quiet lines for a person at a terminal (pretty-log.ts); the server's default stays JSON.
  demoLog = createDemoLog({ print: say, reminder: reminderText(SERVER_URL, idp.accounts) });
  const server = await startKlaxonServer(config, { logger: { stream: demoLog } }).catch((e: unknown) =>
    Promise.reject(inUse(e, 'Klaxon server', PORTS.server)),
  );
  running.server = server;
  if (config.oncall.webhookSecret)
    sim.control.setWebhook({
      url: `${server.url}/api/v1/webhooks/oncall`,
      headers: { 'x-klaxon-webhook-secret': config.oncall.webhookSecret },
    });
  if (config.pagerduty && config.pagerduty.webhookSecrets.length > 0)
    pd.control.addWebhookSubscription({
      url: `${server.url}/api/v1/webhooks/pagerduty`,
      secrets: [...config.pagerduty.webhookSecrets],
    });

  say('');
  say('Klaxon demo is running (all on 127.0.0.1, no configuration needed):');
  say(`  Klaxon server + web UI  ${server.url}/`);
  say(`  identity provider       ${idp.issuer}`);
  say(`  On-Call simulator       ${sim.url}`);
  say(`  PagerDuty simulator     ${pd.url}  (target "SRE on PagerDuty")`);
  say('');
  say(accountsText(config.groups, idp.accounts));
  say('  carol is also the SRE on call in both simulators, so her acknowledgements reach On-Call and PagerDuty.');
  say('');
  say(triggerText({ server: server.url, idp: idp.issuer, simulator: sim.url, pagerduty: pd.url }));
  say('');
  say(ircText(irc));
  say('');

  const electron = findElectronBinary(root);
  if (noOpen) {
    say(`Web UI: ${server.url}/ (--no-open: not opening a browser or Klaxon desktop)`);
  } else if (electron) {
    const desktopMain = path.join(root, 'dist/desktop/main.js');
    if (isStale(desktopMain, desktopSources(root))) {
      runOrFail(
        existsSync(desktopMain)
          ? 'Rebuilding Klaxon desktop (its sources changed since the last build)'
          : 'Building Klaxon desktop',
        [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'build/bundle-desktop.ts'],
      );
    }
    say(`Starting Klaxon desktop (its default server is ${SERVER_URL}); the web UI is also at ${server.url}/`);
    desktop = spawn(electron, [path.join(root, 'dist/desktop')], { cwd: root, stdio: 'inherit' });
    desktop.on('exit', (code) => {
      desktop = null;
      if (!stopping) say(`Klaxon desktop exited (${code ?? 'signal'}). The stack keeps running: Ctrl+C to stop.`);
    });
  } else {
    say('No Electron binary on this machine, so Klaxon desktop cannot start here.');
    say(`Opening the web UI instead: ${server.url}/`);
    openInBrowser(`${server.url}/`);
  }
  say('');
  say('Press Ctrl+C to stop everything.');
}

async function stop(code: number): Promise<never> {
  if (stopping) process.exit(1); // second Ctrl+C: do not wait any longer
  stopping = true;
  demoLog?.stop();
  say('\nStopping the Klaxon demo…');
  if (desktop?.pid) desktop.kill('SIGTERM');
  // The server first (it finishes in-flight deliveries), then what it talks to.
  await running.server?.close().catch(() => undefined);
  await Promise.allSettled([running.sim?.close(), running.pd?.close(), running.idp?.close()]);
  say('Stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

start().catch(async (e: unknown) => {
  console.error(`\nThe Klaxon demo could not start: ${e instanceof Error ? e.message : String(e)}`);
  await stop(1);
});
