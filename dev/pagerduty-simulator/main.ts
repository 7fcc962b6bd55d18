/**
 * `npm run dev:pagerduty`: the simulator on its own, for the demo and for poking at by hand.
 * Flags override environment variables; `--help` lists both.
 */
import { SimulatorCli } from '../simulator-kit/cli.js';
import { validateFaults } from './faults.js';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_SRE,
  DEMO_ROUTING_KEYS,
  DEMO_USERS,
  startPagerDutySimulator,
} from './index.js';

const HELP = `PagerDuty simulator (Events API v2, REST API v2, webhooks v3)

  --host <addr>              listen address (PAGERDUTY_SIM_HOST, default 127.0.0.1)
  --port <n>                 listen port (PAGERDUTY_SIM_PORT, default 8790; 0 = any free port)
  --seed demo|empty          starting data (PAGERDUTY_SIM_SEED, default demo)
  --faults <json>            e.g. '{"errorRate":0.2,"latencyMs":300}' (PAGERDUTY_SIM_FAULTS)
  --webhook-url <url>        add a v3 webhook subscription for every incident event (PAGERDUTY_SIM_WEBHOOK_URL)
  --webhook-secret <s>       its signing secret, repeatable for a rotation (PAGERDUTY_SIM_WEBHOOK_SECRETS, comma-separated)
  --unknown-routing-key accept|reject
                             what an event with a well-formed but unknown routing key gets (default accept: 202, dropped)
  --nobody-on-call unassigned|drop
                             a trigger to a service with nobody on call at any level: an unassigned incident (default) or none
  --no-rate-limit            turn throttling off (PAGERDUTY_SIM_RATE_LIMIT=off)
  --log                      log every request (PAGERDUTY_SIM_LOG=1)
`;

const cli: SimulatorCli = new SimulatorCli('pagerduty-simulator', 'PAGERDUTY_SIM', HELP);

function toPort(v: string | undefined): number {
  if (v === undefined || v === '') return 8790;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) cli.fail(`--port must be 0 to 65535, got "${v}"`);
  return n;
}

const values = cli.parse({
  'webhook-secret': { type: 'string', multiple: true },
  'unknown-routing-key': { type: 'string' },
  'nobody-on-call': { type: 'string' },
});
const seed = cli.seed(values);
const unknownRoutingKey = values['unknown-routing-key'] ?? 'accept';
if (unknownRoutingKey !== 'accept' && unknownRoutingKey !== 'reject')
  cli.fail(`--unknown-routing-key must be "accept" or "reject", got "${unknownRoutingKey}"`);
const nobodyOnCall = values['nobody-on-call'] ?? 'unassigned';
if (nobodyOnCall !== 'unassigned' && nobodyOnCall !== 'drop')
  cli.fail(`--nobody-on-call must be "unassigned" or "drop", got "${nobodyOnCall}"`);

const faults = cli.faults(values, validateFaults);

const sim = await cli.start(
  startPagerDutySimulator({
    host: cli.host(values),
    port: toPort(values.port ?? cli.env('PORT')),
    seed,
    unknownRoutingKey,
    nobodyOnCall,
    rateLimit: cli.rateLimitOff(values) ? false : {},
    log: cli.log(values),
    ...(faults ? { faults } : {}),
  }),
);

const webhookUrl = cli.webhookUrl(values);
let webhookLine = '';
if (webhookUrl) {
  const secrets = values['webhook-secret'] ?? cli.env('WEBHOOK_SECRETS')?.split(',').filter(Boolean);
  try {
    const sub = sim.control.addWebhookSubscription({ url: webhookUrl, ...(secrets?.length ? { secrets } : {}) });
    webhookLine = `\n  webhook v3         ${webhookUrl}  (subscription ${sub.id}, secret ${sub.secrets.join(', ')})`;
  } catch (e) {
    cli.fail(`--webhook-url: ${e instanceof Error ? e.message : String(e)}`);
  }
}

console.log(`PagerDuty simulator listening on ${sim.url}
  Events API v2      POST ${sim.eventsUrl}
    routing keys     sre ${DEMO_ROUTING_KEYS.sre}
                     batphone ${DEMO_ROUTING_KEYS.batphone}
                     billing ${DEMO_ROUTING_KEYS.billing}   (in maintenance: no incidents)
  REST API v2        ${sim.url}/incidents, /oncalls, /escalation_policies, /services, /users, /maintenance_windows
    Authorization    Token token=${sim.apiToken}   (read-only: ${sim.readOnlyApiToken})
    From             carol@klaxon.test, dmitri@klaxon.test, … or klaxon@klaxon.test (user ${DEMO_USERS.klaxon})
  policies           SRE ${DEMO_POLICY_SRE} (two rules, 15 min), Batphone ${DEMO_POLICY_BATPHONE}
  control API        ${sim.url}/_sim/  (reset, events, incidents, clock, faults, webhooks, org)${webhookLine}
Try:
  curl -s -X POST ${sim.eventsUrl} -H 'content-type: application/json' \\
    -d '{"routing_key":"${DEMO_ROUTING_KEYS.sre}","event_action":"trigger","dedup_key":"demo-1","payload":{"summary":"Disk full on db-1","source":"db-1","severity":"critical"}}'
  curl -sg '${sim.url}/incidents?statuses[]=triggered' -H 'Authorization: Token token=${sim.apiToken}'
Press Ctrl+C to stop.`);

cli.closeOnSignals(sim);
