/**
 * Splunk On-Call simulator: a real HTTP server that behaves like On-Call's public API and REST
 * endpoint as docs/splunk-oncall.md describes them. See README.md in this folder.
 */
import { REST_ENDPOINT_PREFIX } from './rest-endpoint.js';
import { createSimulatorServer } from './server.js';
import { Simulator } from './simulator.js';
import type { RunningSimulator, SimulatorOptions } from './types.js';

export type {
  AlertRule,
  Faults,
  OrgProfile,
  RateLimitOptions,
  RequestLogEntry,
  RunningSimulator,
  SeedName,
  SimulatorControl,
  SimulatorOptions,
  Switches,
  WebhookDelivery,
  WebhookPayload,
  WireIncident,
  WireMaintenanceMode,
} from './types.js';
export {
  DEMO_INCIDENTS,
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_PLATFORM,
  DEMO_POLICY_PLATFORM_HOURS,
  DEMO_POLICY_SRE,
  DEMO_POLICY_TICKETS,
  DEMO_ROTATION_BATPHONE,
  DEMO_ROTATION_PLATFORM,
  DEMO_ROTATION_PLATFORM_HOURS,
  DEMO_ROTATION_SRE,
  DEMO_ROTATION_SRE_SECONDARY,
  DEMO_TEAM_PLATFORM,
  DEMO_TEAM_SRE,
  demoOrg,
  demoTimeZones,
} from './seed.js';
export { REST_ENDPOINT_PREFIX } from './rest-endpoint.js';

export async function startOnCallSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = new Simulator(opts);
  const http = createSimulatorServer(sim);
  const url = await http.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
  const org = sim.org.org;
  return {
    url,
    apiId: org.apiId,
    apiKey: org.apiKeys.find((k) => !k.readOnly)!.key,
    readOnlyApiKey: org.apiKeys.find((k) => k.readOnly)!.key,
    restEndpointKey: org.restEndpointKey,
    restEndpointBaseUrl: `${url}${REST_ENDPOINT_PREFIX}`,
    orgSlug: org.orgSlug,
    control: sim.control(),
    close() {
      sim.pending.clear();
      sim.webhook.close();
      return http.close();
    },
  };
}
