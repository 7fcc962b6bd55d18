/**
 * PagerDuty simulator: a real HTTP server that behaves like PagerDuty's Events API v2 and REST
 * API v2 as docs/pagerduty.md describes them, with v3 webhooks. See README.md in this folder.
 */
import { createControl } from './control.js';
import { EVENTS_PATH } from './events-api.js';
import { DEMO_API_TOKEN, DEMO_READONLY_API_TOKEN } from './seed.js';
import { createSimulatorServer } from './server.js';
import { Simulator } from './simulator.js';
import type { RunningPagerDutySimulator, SimulatorOptions } from './types.js';

export type {
  EventAction,
  EventOutcome,
  Faults,
  RateLimits,
  ReceivedEvent,
  RequestLogEntry,
  RunningPagerDutySimulator,
  SeedName,
  SimulatorControl,
  SimulatorOptions,
  WebhookDelivery,
  WebhookSubscription,
  WebhookSubscriptionInput,
} from './types.js';
export * from './seed.js';
export { signatureHeader, INCIDENT_EVENT_TYPES } from './webhook.js';

/** How often wall-clock time is checked for escalations that came due (the simulated clock runs with it). */
const TICK_MS = 1_000;

export async function startPagerDutySimulator(opts: SimulatorOptions = {}): Promise<RunningPagerDutySimulator> {
  const sim = new Simulator(opts);
  const control = createControl(sim);
  const http = createSimulatorServer(sim, control);
  const url = await http.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
  sim.baseUrl = url;
  const ticker = setInterval(() => sim.tick(), TICK_MS);
  ticker.unref();
  return {
    url,
    eventsUrl: `${url}${EVENTS_PATH}`,
    apiToken: DEMO_API_TOKEN,
    readOnlyApiToken: DEMO_READONLY_API_TOKEN,
    control,
    close() {
      clearInterval(ticker);
      sim.webhook.close();
      return http.close();
    },
  };
}
