/**
 * `npm run dev:oncall`: the simulator on its own, for the demo and for poking at by hand.
 * Flags override environment variables; `--help` lists both.
 */
import { parseArgs } from 'node:util';
import { validateFaults } from './faults.js';
import { demoOrg, startOnCallSimulator, type SimulatorOptions, type Switches } from './index.js';
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

function fail(message: string): never {
  console.error(`oncall-simulator: ${message}\nRun with --help for the options.`);
  process.exit(2);
}

function toNumber(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a non-negative number, got "${v}"`);
  return n;
}

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    seed: { type: 'string' },
    org: { type: 'string' },
    switch: { type: 'string', multiple: true },
    'consistency-delay': { type: 'string' },
    retention: { type: 'string' },
    faults: { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-header': { type: 'string', multiple: true },
    'no-rate-limit': { type: 'boolean' },
    'spec-oncall-fields': { type: 'boolean' },
    log: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const env = process.env;
const seed = values.seed ?? env.ONCALL_SIM_SEED ?? 'demo';
if (seed !== 'demo' && seed !== 'empty') fail(`--seed must be "demo" or "empty", got "${seed}"`);

const org = values.org ?? env.ONCALL_SIM_ORG ?? 'realistic';
if (org !== 'tidy' && org !== 'realistic') fail(`--org must be "tidy" or "realistic", got "${org}"`);

let switches: Partial<Switches> = {};
try {
  const given: Record<string, unknown> = env.ONCALL_SIM_SWITCHES
    ? (JSON.parse(env.ONCALL_SIM_SWITCHES) as Record<string, unknown>)
    : {};
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

let faults: SimulatorOptions['faults'];
const faultsText = values.faults ?? env.ONCALL_SIM_FAULTS;
if (faultsText) {
  try {
    faults = validateFaults(JSON.parse(faultsText));
  } catch (e) {
    fail(`--faults: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const webhookUrl = values['webhook-url'] ?? env.ONCALL_SIM_WEBHOOK_URL;
let headers: Record<string, string> = {};
if (env.ONCALL_SIM_WEBHOOK_HEADERS) {
  try {
    headers = JSON.parse(env.ONCALL_SIM_WEBHOOK_HEADERS) as Record<string, string>;
  } catch {
    fail('ONCALL_SIM_WEBHOOK_HEADERS must be a JSON object of header names to values');
  }
}
for (const h of values['webhook-header'] ?? []) {
  const i = h.indexOf('=');
  if (i <= 0) fail(`--webhook-header must look like name=value, got "${h}"`);
  headers[h.slice(0, i)] = h.slice(i + 1);
}

const sim = await startOnCallSimulator({
  host: values.host ?? env.ONCALL_SIM_HOST ?? '127.0.0.1',
  port: toNumber('--port', values.port ?? env.ONCALL_SIM_PORT, 8789),
  seed,
  org,
  ...switches,
  consistencyDelayMs: toNumber(
    '--consistency-delay',
    values['consistency-delay'] ?? env.ONCALL_SIM_CONSISTENCY_DELAY_MS,
    2000,
  ),
  resolvedRetentionMinutes: toNumber('--retention', values.retention ?? env.ONCALL_SIM_RETENTION_MINUTES, 60),
  rateLimit: values['no-rate-limit'] || env.ONCALL_SIM_RATE_LIMIT === 'off' ? false : { perSecond: 2 },
  ...(values['spec-oncall-fields'] ? { oncallFieldStyle: 'spec' as const } : {}),
  log: values.log ?? env.ONCALL_SIM_LOG === '1',
  ...(faults ? { faults } : {}),
  ...(webhookUrl ? { webhook: { url: webhookUrl, headers } } : {}),
}).catch((e: unknown) =>
  fail(`could not start: ${e instanceof Error ? e.message : String(e)} (is the port already in use? try --port 0)`),
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

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: closing the simulator…`);
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
