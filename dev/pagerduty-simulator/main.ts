/**
 * `npm run dev:pagerduty`: the simulator on its own, for the demo and for poking at by hand.
 * Flags override environment variables; `--help` lists both.
 */
import { parseArgs } from 'node:util';
import { validateFaults } from './faults.js';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_SRE,
  DEMO_ROUTING_KEYS,
  DEMO_USERS,
  startPagerDutySimulator,
  type SimulatorOptions,
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

function fail(message: string): never {
  console.error(`pagerduty-simulator: ${message}\nRun with --help for the options.`);
  process.exit(2);
}

function toPort(v: string | undefined): number {
  if (v === undefined || v === '') return 8790;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--port must be 0 to 65535, got "${v}"`);
  return n;
}

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-secret': { type: 'string', multiple: true },
    'unknown-routing-key': { type: 'string' },
    'nobody-on-call': { type: 'string' },
    'no-rate-limit': { type: 'boolean' },
    log: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const env = process.env;
const seed = values.seed ?? env.PAGERDUTY_SIM_SEED ?? 'demo';
if (seed !== 'demo' && seed !== 'empty') fail(`--seed must be "demo" or "empty", got "${seed}"`);
const unknownRoutingKey = values['unknown-routing-key'] ?? 'accept';
if (unknownRoutingKey !== 'accept' && unknownRoutingKey !== 'reject')
  fail(`--unknown-routing-key must be "accept" or "reject", got "${unknownRoutingKey}"`);
const nobodyOnCall = values['nobody-on-call'] ?? 'unassigned';
if (nobodyOnCall !== 'unassigned' && nobodyOnCall !== 'drop')
  fail(`--nobody-on-call must be "unassigned" or "drop", got "${nobodyOnCall}"`);

let faults: SimulatorOptions['faults'];
const faultsText = values.faults ?? env.PAGERDUTY_SIM_FAULTS;
if (faultsText) {
  try {
    faults = validateFaults(JSON.parse(faultsText));
  } catch (e) {
    fail(`--faults: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const sim = await startPagerDutySimulator({
  host: values.host ?? env.PAGERDUTY_SIM_HOST ?? '127.0.0.1',
  port: toPort(values.port ?? env.PAGERDUTY_SIM_PORT),
  seed,
  unknownRoutingKey,
  nobodyOnCall,
  rateLimit: values['no-rate-limit'] || env.PAGERDUTY_SIM_RATE_LIMIT === 'off' ? false : {},
  log: values.log ?? env.PAGERDUTY_SIM_LOG === '1',
  ...(faults ? { faults } : {}),
}).catch((e: unknown) =>
  fail(`could not start: ${e instanceof Error ? e.message : String(e)} (is the port already in use? try --port 0)`),
);

const webhookUrl = values['webhook-url'] ?? env.PAGERDUTY_SIM_WEBHOOK_URL;
let webhookLine = '';
if (webhookUrl) {
  const secrets = values['webhook-secret'] ?? env.PAGERDUTY_SIM_WEBHOOK_SECRETS?.split(',').filter(Boolean);
  try {
    const sub = sim.control.addWebhookSubscription({ url: webhookUrl, ...(secrets?.length ? { secrets } : {}) });
    webhookLine = `\n  webhook v3         ${webhookUrl}  (subscription ${sub.id}, secret ${sub.secrets.join(', ')})`;
  } catch (e) {
    fail(`--webhook-url: ${e instanceof Error ? e.message : String(e)}`);
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

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: closing the simulator…`);
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
