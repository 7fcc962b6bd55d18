// Splunk On-Call backends for tests: the real client against the simulator, or a scripted client
// (a test's own listIncidents/teams) behind the real backend, so tests feed wire data as On-Call
// sends it and see what the rest of the server sees.
import type { RunningSimulator } from '#dev/oncall-simulator/index.js';
import { OnCallClient, type OnCallClientOptions } from '#server/backends/splunk-oncall/client.js';
import { SplunkOnCallBackend, type OnCallApi } from '#server/backends/splunk-oncall/backend.js';
import type { Clock } from '#server/runtime/clock.js';
import type { Logger } from '#server/runtime/logger.js';

type ClientExtras = Partial<Omit<OnCallClientOptions, 'apiBaseUrl' | 'apiId' | 'apiKey' | 'restEndpointBaseUrl'>>;

/** An OnCallClient pointed at the simulator; both timeouts default to 2 s. */
export function simulatorClient(sim: RunningSimulator, extra: ClientExtras = {}): OnCallClient {
  return new OnCallClient({
    apiBaseUrl: sim.url,
    apiId: sim.apiId,
    apiKey: sim.apiKey,
    restEndpointBaseUrl: sim.restEndpointBaseUrl,
    restEndpointKey: sim.restEndpointKey,
    timeoutMs: 2000,
    alertTimeoutMs: extra.timeoutMs ?? 2000,
    ...extra,
  });
}

/** The Splunk On-Call backend over the simulator (its org slug, no team filter). */
export function simulatorBackend(
  sim: RunningSimulator,
  extra: ClientExtras & { timeZones?: Record<string, string>; cacheClock?: Clock } = {},
): SplunkOnCallBackend {
  const { timeZones = {}, cacheClock, ...clientExtra } = extra;
  return new SplunkOnCallBackend({
    client: simulatorClient(sim, clientExtra),
    config: { orgSlug: sim.orgSlug, teams: [], timeZones },
    ...(extra.logger ? { logger: extra.logger } : {}),
    // The backend's caches on a clock the test moves; the HTTP client keeps real time for its limiter.
    ...(cacheClock ? { clock: cacheClock } : {}),
  });
}

/** The Splunk On-Call backend over a scripted client; calls the script leaves out fail the test. */
export function scriptedBackend(
  script: Partial<OnCallApi>,
  opts: { clock?: Clock; logger?: Logger; orgSlug?: string } = {},
): SplunkOnCallBackend {
  // Methods are bound, so the script may be an instance of a test's own class.
  const call =
    <K extends keyof OnCallApi>(name: K) =>
    (...args: Parameters<OnCallApi[K]>) => {
      const f = script[name] as ((...a: Parameters<OnCallApi[K]>) => ReturnType<OnCallApi[K]>) | undefined;
      return f ? f.apply(script, args) : Promise.reject(new Error(`${name} is not scripted in this test`));
    };
  const client = {
    listIncidents: call('listIncidents'),
    getIncident: call('getIncident'),
    ackIncidents: call('ackIncidents'),
    sendAlert: call('sendAlert'),
    oncallCurrent: call('oncallCurrent'),
    teams: call('teams'),
    teamMembers: call('teamMembers'),
    routingKeys: call('routingKeys'),
    policies: call('policies'),
    policy: call('policy'),
    teamSchedule: call('teamSchedule'),
    maintenanceModes: call('maintenanceModes'),
    userNames: call('userNames'),
    reroute: call('reroute'),
    userExists: call('userExists'),
  } as OnCallApi;
  return new SplunkOnCallBackend({
    client,
    config: { orgSlug: opts.orgSlug ?? null, teams: [], timeZones: {} },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
}
