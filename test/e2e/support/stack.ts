import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIdentityProvider, type RunningIdp } from '#dev/identity-provider/index.js';
import { startOnCallSimulator, type Faults, type RunningSimulator } from '#dev/oncall-simulator/index.js';
import {
  startPagerDutySimulator,
  type RunningPagerDutySimulator,
  type SimulatorOptions as PagerDutySimulatorOptions,
} from '#dev/pagerduty-simulator/index.js';
import {
  loadServerConfig,
  startKlaxonServer,
  type RunningServer,
  type ServerConfig,
  type ServerConfigOverrides,
} from '#server/index.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const RENDERER_DIR = path.join(ROOT, 'dist/renderer');
const WEBHOOK_SECRET = 'e2e-webhook-secret';
const PD_WEBHOOK_SECRET = 'e2e-pagerduty-webhook-secret';
const DEMO_CONFIG = path.join(ROOT, 'dev/config/demo-server.yaml');

export interface Stack {
  idp: RunningIdp;
  sim: RunningSimulator;
  /** The PagerDuty simulator, when started with `pagerduty`. */
  pd: RunningPagerDutySimulator | null;
  server: RunningServer;
  config: ServerConfig;
  /** The Klaxon server's base URL (also serves the web UI). */
  url: string;
  /** Stops the Klaxon server only (the "server down" failure path). */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and SQLite file (sessions and pages survive, as in production). */
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  consistencyDelayMs?: number;
  faults?: Faults;
  /** Pages per user per 10 minutes (default 20, so tests are not throttled by accident). */
  pageRateLimitMax?: number;
  /** Runs on the simulator before the Klaxon server starts (so its first look sees the change). */
  prepare?: (sim: RunningSimulator) => void;
  /** Page targets instead of the demo config's. */
  targets?: ServerConfigOverrides['targets'];
  /** `delivery.unconfirmedAfterSeconds` (the demo config's default otherwise). */
  unconfirmedAfterSeconds?: number;
  /**
   * Also run the PagerDuty simulator (demo account) and keep the demo config's PagerDuty target.
   * Without it the server is On-Call only: the demo config's PagerDuty block and target are left out.
   */
  pagerduty?: PagerDutySimulatorOptions;
  /** PagerDuty's fallback escalation policy (`pagerduty.escalation.policy`); default: none, as for On-Call below. */
  pagerdutyEscalationPolicy?: string;
  /** Runs on the PagerDuty simulator before the Klaxon server starts (so its first look sees the change). */
  preparePagerDuty?: (pd: RunningPagerDutySimulator) => void;
  /** `events.maxStreamsPerUser` (the demo config's default otherwise). */
  maxStreamsPerUser?: number;
  /** `sentry.clientDsn`: the web UI reports its errors there (a Sentry stand-in, test/support/sentry-receiver.ts). */
  sentryClientDsn?: string;
  /** The simulator's organisation (default: realistic, as in the demo). */
  org?: 'tidy' | 'realistic';
  /** Server settings the stack does not set itself (e.g. `escalation`). */
  server?: Omit<ServerConfigOverrides, 'oncall' | 'oidc' | 'storage' | 'webUi' | 'listen'>;
}

/**
 * The real stack on ephemeral loopback ports: development IdP, On-Call simulator (demo seed) and
 * the Klaxon server with a temporary SQLite file, serving the built renderer from dist/renderer.
 * The simulator's outgoing webhook points at the server so changes show up without waiting for
 * a poll (the 2 s poll still runs as the safety net).
 */
export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'klaxon-e2e-'));
  const idp = await startIdentityProvider();
  const sim = await startOnCallSimulator({
    seed: 'demo',
    consistencyDelayMs: o.consistencyDelayMs ?? 0,
    rateLimit: false,
    ...(o.org ? { org: o.org } : {}),
    ...(o.faults ? { faults: o.faults } : {}),
  });
  o.prepare?.(sim);
  const pd = o.pagerduty ? await startPagerDutySimulator({ rateLimit: false, ...o.pagerduty }) : null;
  if (pd) o.preparePagerDuty?.(pd);
  const demoTargets = loadServerConfig({ file: DEMO_CONFIG, env: {}, warn: () => {} }).targets;
  const config = loadServerConfig({
    file: DEMO_CONFIG,
    env: {},
    overrides: {
      pagerduty: pd
        ? {
            apiBaseUrl: pd.url,
            eventsUrl: pd.eventsUrl,
            apiToken: pd.apiToken,
            pollIntervalSeconds: 2,
            webhookSecrets: [PD_WEBHOOK_SECRET],
            escalation: { policy: o.pagerdutyEscalationPolicy ?? null, asUser: null },
          }
        : null,
      targets: o.targets ?? (pd ? demoTargets : demoTargets.filter((t) => t.backend !== 'pagerduty')),
      listen: { host: '127.0.0.1', port: 0 },
      publicUrl: null,
      oncall: {
        apiBaseUrl: sim.url,
        restEndpointBaseUrl: sim.restEndpointBaseUrl,
        apiId: sim.apiId,
        apiKey: sim.apiKey,
        restEndpointKey: sim.restEndpointKey,
        orgSlug: sim.orgSlug,
        pollIntervalSeconds: 2,
        webhookSecret: WEBHOOK_SECRET,
      },
      oidc: { issuer: idp.issuer, audience: idp.resource },
      delivery: {
        timeoutMs: 2000,
        baseDelayMs: 300,
        maxDelayMs: 1500,
        giveUpAfterMinutes: 30,
        ...(o.unconfirmedAfterSeconds ? { unconfirmedAfterSeconds: o.unconfirmedAfterSeconds } : {}),
      },
      ...(o.maxStreamsPerUser ? { events: { maxStreamsPerUser: o.maxStreamsPerUser } } : {}),
      pageRateLimit: { max: o.pageRateLimitMax ?? 20, windowSeconds: 600 },
      storage: { sqlitePath: path.join(dir, 'klaxon.db') },
      webUi: { dir: RENDERER_DIR },
      logLevel: 'warn',
      ...(o.sentryClientDsn ? { sentry: { clientDsn: o.sentryClientDsn, environment: 'e2e' } } : {}),
      // The demo config escalates (and checks its policy and user at start, two more requests under
      // On-Call's rate limit): a spec about escalations says so (`server.escalation`); the others see
      // On-Call as it is, with the target checks' look-ups alone at start.
      escalation: { policy: null, asUser: null, unpaged: { enabled: false }, pageUnackedMinutes: null },
      ...o.server,
    },
  });
  let server = await startKlaxonServer(config, { logger: false });
  await idp.registerWebClient({
    clientId: config.oidc.web.clientId,
    clientSecret: config.oidc.web.clientSecret,
    redirectUris: [`${server.url}/auth/callback`],
  });
  const url = server.url;
  let pdHook: string | null = null;
  const hook = () => {
    sim.control.setWebhook({
      url: `${url}/api/v1/webhooks/oncall`,
      headers: { 'x-klaxon-webhook-secret': WEBHOOK_SECRET },
    });
    if (pd)
      pdHook = pd.control.addWebhookSubscription({
        url: `${url}/api/v1/webhooks/pagerduty`,
        secrets: [PD_WEBHOOK_SECRET],
      }).id;
  };
  hook();
  let serverStopped = false;
  const stopServer = async () => {
    if (serverStopped) return;
    serverStopped = true;
    sim.control.setWebhook(null);
    if (pd && pdHook) pd.control.removeWebhookSubscription(pdHook);
    await server.close();
  };
  return {
    idp,
    sim,
    pd,
    get server() {
      return server;
    },
    config,
    url,
    stopServer,
    async restartServer() {
      await stopServer();
      server = await startKlaxonServer(
        { ...config, listen: { ...config.listen, port: Number(new URL(url).port) }, publicUrl: url },
        { logger: false },
      );
      serverStopped = false;
      hook();
    },
    async close() {
      await stopServer().catch(() => undefined);
      await Promise.allSettled([sim.close(), idp.close(), pd?.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Incidents in the simulator whose entity id marks them as Klaxon pages. */
export function klaxonIncidents(sim: RunningSimulator): { incidentNumber: string; entityId: string }[] {
  return (sim.control.incidents() as { incidentNumber: string; entityId: string }[]).filter((i) =>
    i.entityId?.startsWith('klaxon/'),
  );
}
