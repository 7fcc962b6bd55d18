/**
 * `npm run dev:oncall`: the simulator on its own, for the demo and for poking at by hand.
 * Flags override environment variables; `--help` lists both.
 */
import { SimulatorCli } from '../simulator-kit/cli.js';
import { validateFaults } from './faults.js';
import { demoOrg, startOnCallSimulator, type Switches } from './index.js';
import { validateSwitches } from './simulator.js';

const HELP = `Splunk On-Call simulator

  --host <addr>              listen address (ONCALL_SIM_HOST, default 127.0.0.1)
  --port <n>                 listen port (ONCALL_SIM_PORT, default 8789; 0 = any free port)
  --seed demo|empty          starting data (ONCALL_SIM_SEED, default demo)
  --org realistic|tidy       demo organisation (ONCALL_SIM_ORG, default realistic; README.md "Demo organisations")
  --consistency-delay <ms>   delay before alerts show up (ONCALL_SIM_CONSISTENCY_DELAY_MS, default 2000)
  --retention <minutes>      how long resolved incidents stay listed (ONCALL_SIM_RETENTION_MINUTES, default 60)
  --faults <json>            e.g. '{"errorRate":0.2,"latencyMs":300}' (ONCALL_SIM_FAULTS)
  --webhook-url <url>        outgoing webhook target (ONCALL_SIM_WEBHOOK_URL)
  --webhook-header k=v       header sent with the webhook, repeatable (ONCALL_SIM_WEBHOOK_HEADERS as JSON)
  --no-rate-limit            turn throttling off (ONCALL_SIM_RATE_LIMIT=off)
  --spec-oncall-fields       emit onCallNow/onCallUser instead of oncallNow/onCalluser
  --switch name=value        set a switch, repeatable, e.g. routingKeyCase=sensitive (ONCALL_SIM_SWITCHES as JSON;
                             README.md "Switches" lists them)
  --log                      log every request (ONCALL_SIM_LOG=1)
`;

const cli: SimulatorCli = new SimulatorCli('oncall-simulator', 'ONCALL_SIM', HELP);
const fail: (message: string) => never = cli.fail;

function toNumber(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a non-negative number, got "${v}"`);
  return n;
}

const values = cli.parse({
  org: { type: 'string' },
  switch: { type: 'string', multiple: true },
  'consistency-delay': { type: 'string' },
  retention: { type: 'string' },
  'webhook-header': { type: 'string', multiple: true },
  'spec-oncall-fields': { type: 'boolean' },
});
const seed = cli.seed(values);

const org = values.org ?? cli.env('ORG') ?? 'realistic';
if (org !== 'tidy' && org !== 'realistic') fail(`--org must be "tidy" or "realistic", got "${org}"`);

let switches: Partial<Switches> = {};
try {
  const switchesJson = cli.env('SWITCHES');
  const given: Record<string, unknown> = switchesJson ? (JSON.parse(switchesJson) as Record<string, unknown>) : {};
  for (const s of values.switch ?? []) {
    const i = s.indexOf('=');
    if (i <= 0) fail(`--switch must look like name=value, got "${s}"`);
    const raw = s.slice(i + 1);
    // Numbers, booleans and null as JSON; anything else is a string.
    given[s.slice(0, i)] = /^(-?\d+|true|false|null)$/.test(raw) ? JSON.parse(raw) : raw;
  }
  switches = validateSwitches(given);
} catch (e) {
  fail(`--switch: ${e instanceof Error ? e.message : String(e)}`);
}

const faults = cli.faults(values, validateFaults);

const webhookUrl = cli.webhookUrl(values);
let headers: Record<string, string> = {};
const headersJson = cli.env('WEBHOOK_HEADERS');
if (headersJson) {
  try {
    headers = JSON.parse(headersJson) as Record<string, string>;
  } catch {
    fail('ONCALL_SIM_WEBHOOK_HEADERS must be a JSON object of header names to values');
  }
}
for (const h of values['webhook-header'] ?? []) {
  const i = h.indexOf('=');
  if (i <= 0) fail(`--webhook-header must look like name=value, got "${h}"`);
  headers[h.slice(0, i)] = h.slice(i + 1);
}

const sim = await cli.start(
  startOnCallSimulator({
    host: cli.host(values),
    port: toNumber('--port', values.port ?? cli.env('PORT'), 8789),
    seed,
    org,
    ...switches,
    consistencyDelayMs: toNumber(
      '--consistency-delay',
      values['consistency-delay'] ?? cli.env('CONSISTENCY_DELAY_MS'),
      2000,
    ),
    resolvedRetentionMinutes: toNumber('--retention', values.retention ?? cli.env('RETENTION_MINUTES'), 60),
    rateLimit: cli.rateLimitOff(values) ? false : { perSecond: 2 },
    ...(values['spec-oncall-fields'] ? { oncallFieldStyle: 'spec' as const } : {}),
    log: cli.log(values),
    ...(faults ? { faults } : {}),
    ...(webhookUrl ? { webhook: { url: webhookUrl, headers } } : {}),
  }),
);

console.log(`Splunk On-Call simulator listening on ${sim.url}
  public API        ${sim.url}/api-public/v1/incidents
  REST endpoint     ${sim.restEndpointBaseUrl}/${sim.restEndpointKey}/<routingKey>   (routing keys: ${demoOrg(org)
    .routingKeys.map((k) => k.routingKey)
    .join(', ')})
  X-VO-Api-Id       ${sim.apiId}
  X-VO-Api-Key      ${sim.apiKey}   (read-only: ${sim.readOnlyApiKey})
  org slug          ${sim.orgSlug}
  organisation      ${org}
  control API       ${sim.url}/_sim/  (reset, requests, faults, incidents, clock, maintenance, switches, rules)${webhookUrl ? `\n  webhook           ${webhookUrl}` : ''}
Press Ctrl+C to stop.`);

cli.closeOnSignals(sim);
