import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { parseSentryDsn } from '#common/index.js';
import { ServerConfigOverrides, MIN_POLL_INTERVAL_SECONDS, ServerConfig, ServerConfigSchema } from './schema.js';

export interface ConfigProblem {
  key: string;
  /** A sentence that starts with the key. */
  message: string;
}

/**
 * A configuration problem that stops the server from starting; the message names the key. A
 * configuration with several problems gives one error listing each (`problems`), so an operator
 * fixes them in one go instead of one per start.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(
    message: string,
    readonly key: string | null = null,
    problems?: readonly ConfigProblem[],
  ) {
    super(message);
    this.name = 'ConfigError';
    this.problems = problems ?? (key ? [{ key, message }] : []);
  }

  static of(problems: readonly ConfigProblem[]): ConfigError {
    if (problems.length === 1) return new ConfigError(problems[0]!.message, problems[0]!.key, problems);
    const lines = problems.map((p) => `  - ${p.message}`);
    return new ConfigError(
      [
        `${problems.length} problems in the configuration (each key is described in docs/server-config.md):`,
        ...lines,
      ].join('\n'),
      problems[0]?.key ?? null,
      problems,
    );
  }
}

/** Secrets and deployment-specific values that may come from the environment (they win over the file). */
export const ENV_OVERRIDES: { env: string; key: string; type: 'string' | 'number' | 'list' }[] = [
  { env: 'KLAXON_ONCALL_API_ID', key: 'oncall.apiId', type: 'string' },
  { env: 'KLAXON_ONCALL_API_KEY', key: 'oncall.apiKey', type: 'string' },
  { env: 'KLAXON_ONCALL_REST_ENDPOINT_KEY', key: 'oncall.restEndpointKey', type: 'string' },
  { env: 'KLAXON_ONCALL_WEBHOOK_SECRET', key: 'oncall.webhookSecret', type: 'string' },
  { env: 'KLAXON_ONCALL_ACK_AS_USER', key: 'oncall.ackAsUser', type: 'string' },
  { env: 'KLAXON_PAGERDUTY_API_TOKEN', key: 'pagerduty.apiToken', type: 'string' },
  { env: 'KLAXON_PAGERDUTY_FROM_EMAIL', key: 'pagerduty.fromEmail', type: 'string' },
  { env: 'KLAXON_PAGERDUTY_WEBHOOK_SECRETS', key: 'pagerduty.webhookSecrets', type: 'list' },
  { env: 'KLAXON_ESCALATION_POLICY', key: 'escalation.policy', type: 'string' },
  { env: 'KLAXON_ESCALATION_AS_USER', key: 'escalation.asUser', type: 'string' },
  { env: 'KLAXON_OIDC_WEB_CLIENT_SECRET', key: 'oidc.web.clientSecret', type: 'string' },
  { env: 'KLAXON_SESSION_SECRET', key: 'sessionSecret', type: 'string' },
  { env: 'KLAXON_METRICS_TOKEN', key: 'metrics.token', type: 'string' },
  { env: 'KLAXON_LISTEN_HOST', key: 'listen.host', type: 'string' },
  { env: 'KLAXON_LISTEN_PORT', key: 'listen.port', type: 'number' },
  { env: 'KLAXON_PUBLIC_URL', key: 'publicUrl', type: 'string' },
  { env: 'KLAXON_SQLITE_PATH', key: 'storage.sqlitePath', type: 'string' },
  { env: 'KLAXON_POSTGRES_URL', key: 'storage.postgresUrl', type: 'string' },
  { env: 'KLAXON_LOG_LEVEL', key: 'logLevel', type: 'string' },
  { env: 'KLAXON_SENTRY_DSN', key: 'sentry.dsn', type: 'string' },
  { env: 'KLAXON_SENTRY_CLIENT_DSN', key: 'sentry.clientDsn', type: 'string' },
  { env: 'KLAXON_SENTRY_ENVIRONMENT', key: 'sentry.environment', type: 'string' },
  { env: 'KLAXON_SENTRY_RELEASE', key: 'sentry.release', type: 'string' },
];

const warningsOf = new WeakMap<object, string[]>();
/** Warnings found while loading (e.g. a clamped poll interval), for the server to log at start. */
export function configWarnings(config: ServerConfig): string[] {
  return warningsOf.get(config) ?? [];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isObj(base) || !isObj(over)) return over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function setPath(target: Obj, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur = target;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Obj;
  }
  cur[keys[keys.length - 1]!] = value;
}

function readFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read the config file ${file}: ${(e as Error).message}`);
  }
  try {
    const data: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    if (data === null || data === undefined) return {};
    if (!isObj(data)) throw new Error('the top level must be a mapping of keys to values');
    return data;
  } catch (e) {
    throw new ConfigError(
      `The config file ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
    );
  }
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem {
  const base = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = [base, issue.keys[0]].filter(Boolean).join('.');
    return { key, message: `${key}: unknown key (check the spelling; see docs/server-config.md)` };
  }
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    message =
      issue.expected === 'array'
        ? 'must be a list'
        : issue.expected === 'object'
          ? 'must be a mapping of keys to values'
          : `must be a ${issue.expected}`;
  } else if (issue.code === 'too_small' && issue.origin === 'number') {
    message = `must be at least ${String(issue.minimum)}`;
  } else if (issue.code === 'too_big' && issue.origin === 'number') {
    message = `must be at most ${String(issue.maximum)}`;
  } else if (issue.code === 'invalid_value') {
    message = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { key: base || '(top level)', message: `${base || '(top level)'}: ${message}` };
}

/** Deletes the value at a dotted path (numbers index arrays), so the schema's default applies there. */
function deletePath(target: unknown, path: readonly PropertyKey[]): void {
  let cur = target;
  for (const k of path.slice(0, -1)) {
    if (typeof cur !== 'object' || cur === null) return;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  if (typeof cur === 'object' && cur !== null) delete (cur as Record<PropertyKey, unknown>)[path[path.length - 1]!];
}

/**
 * Every schema problem of `input`, and the configuration parsed once the offending values are
 * taken out (defaults in their place), so the semantic checks can still run and report theirs.
 */
function parseCollecting(input: Obj): { config: ServerConfig | null; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const work = structuredClone(input);
  // Each round removes what the schema refused; a removal can surface a problem behind it (a
  // required field of a list item), hence a few rounds.
  for (let round = 0; round < 10; round++) {
    const parsed = ServerConfigSchema.safeParse(work);
    if (parsed.success) return { config: parsed.data, problems };
    for (const issue of parsed.error.issues) {
      const p = describeIssue(issue);
      if (!problems.some((q) => q.key === p.key)) problems.push(p);
      if (issue.code === 'unrecognized_keys') for (const k of issue.keys) deletePath(work, [...issue.path, k]);
      else deletePath(work, issue.path);
    }
  }
  return { config: null, problems };
}

/**
 * Loads the server configuration: defaults < file < environment < `overrides`. Throws a ConfigError
 * naming every bad key (schema and meaning alike), so an operator sees at once all there is to fix.
 */
export function loadServerConfig(
  input: {
    file?: string;
    env?: NodeJS.ProcessEnv;
    overrides?: ServerConfigOverrides;
    warn?: (message: string) => void;
  } = {},
): ServerConfig {
  const env = input.env ?? process.env;
  const raw: Obj = input.file ? (readFile(input.file) as Obj) : {};
  const problems: ConfigProblem[] = [];
  const fromEnv: Obj = {};
  for (const o of ENV_OVERRIDES) {
    const v = env[o.env];
    if (v === undefined || v === '') continue;
    if (o.type === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) {
        problems.push({ key: o.key, message: `${o.key}: must be a number (from ${o.env}="${v}")` });
        continue;
      }
      setPath(fromEnv, o.key, n);
    } else if (o.type === 'list')
      setPath(
        fromEnv,
        o.key,
        v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      );
    else setPath(fromEnv, o.key, v);
  }
  const merged = deepMerge(deepMerge(raw, fromEnv), input.overrides ?? {}) as Obj;
  defaultTargetBackends(merged);
  const parsed = parseCollecting(merged);
  problems.push(...parsed.problems.filter((p) => !problems.some((q) => q.key === p.key)));
  const config = parsed.config;
  const warnings: string[] = [];
  if (config) {
    for (const p of checkSemantics(config, warnings))
      // A key the schema already refused (and replaced by its default) is not reported twice.
      if (!problems.some((q) => q.key === p.key)) problems.push(p);
  }
  if (problems.length > 0 || !config) throw ConfigError.of(problems);
  if (input.file && !path.isAbsolute(config.storage.sqlitePath) && !config.storage.sqlitePath.startsWith(':')) {
    // Relative paths in a file are relative to the process's working directory, as documented.
    config.storage.sqlitePath = path.resolve(config.storage.sqlitePath);
  }
  warningsOf.set(config, warnings);
  for (const w of warnings) (input.warn ?? ((m: string) => process.stderr.write(`klaxon: warning: ${m}\n`)))(w);
  return config;
}

/**
 * A target without `backend` pages On-Call, so configurations written before PagerDuty keep working;
 * in a configuration with a `pagerduty` block and no `oncall` block it pages PagerDuty.
 */
function defaultTargetBackends(c: Obj): void {
  if (!isObj(c.pagerduty) || 'oncall' in c || !Array.isArray(c.targets)) return;
  for (const t of c.targets) if (isObj(t) && !('backend' in t)) t.backend = 'pagerduty';
}

/** PagerDuty's integration keys are 32 characters (docs/pagerduty.md#events-api-v2). */
const PAGERDUTY_KEY_LENGTH = 32;

/**
 * The escalation blocks: each service escalates to its own fallback policy (`escalation.policy` for
 * On-Call, `pagerduty.escalation.policy` for PagerDuty) as its own user; a rule that is switched on
 * needs at least one of them. Every problem is reported, not only the first.
 */
function checkEscalation(c: ServerConfig, problem: (key: string, message: string) => void): void {
  const e = c.escalation;
  const pd = c.pagerduty;
  const pagesOnCall = c.targets.some((t) => t.backend === 'oncall') || !pd;
  if (e.policy && !pagesOnCall)
    problem(
      'escalation.policy',
      'names an On-Call escalation policy, and no target of this server pages On-Call; for PagerDuty set pagerduty.escalation.policy',
    );
  else if (e.policy && !e.asUser)
    problem(
      'escalation.asUser',
      'must be set when escalation.policy is (the On-Call user escalations are sent as, e.g. escalator_sysuser)',
    );
  if (pd?.escalation.policy && !pd.escalation.asUser && !pd.fromEmail)
    problem(
      'pagerduty.escalation.asUser',
      'must be set when pagerduty.escalation.policy is (the e-mail of the PagerDuty user escalations are sent as; pagerduty.fromEmail serves when set)',
    );
  const automatic = e.unpaged.enabled || e.pageUnackedMinutes !== null;
  if (automatic && !e.policy && !pd?.escalation.policy) {
    const rule = e.unpaged.enabled ? 'escalation.unpaged.enabled' : 'escalation.pageUnackedMinutes';
    problem(
      'escalation.policy',
      pd
        ? `escalation.policy (On-Call) or pagerduty.escalation.policy (PagerDuty) must be set when ${rule} is (the id of the fallback escalation policy)`
        : `must be set when ${rule} is (the id of the fallback escalation policy, e.g. pol-…)`,
    );
  }
}

/** Whether only this machine can reach the listen address (then 127.0.0.1 as the public URL is right). */
function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Every problem of meaning (required values, one default target, …); warnings go to `warnings`. */
function checkSemantics(c: ServerConfig, warnings: string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (key: string, message: string) => problems.push({ key, message: `${key}: ${message}` });
  const required = (value: string, key: string, hint: string) => {
    if (value.trim()) return true;
    problem(key, `must be set (${hint})`);
    return false;
  };
  if (
    required(c.oidc.issuer, 'oidc.issuer', 'the URL of your OpenID Connect provider') &&
    !/^https?:\/\//.test(c.oidc.issuer)
  )
    problem('oidc.issuer', 'must be an http(s) URL');
  required(c.oidc.audience, 'oidc.audience', 'the resource indicator your provider puts in access tokens');
  // On-Call's credentials are needed when a target pages On-Call, or when PagerDuty is not configured at all.
  if (c.targets.some((t) => t.backend === 'oncall') || !c.pagerduty) {
    required(c.oncall.apiId, 'oncall.apiId', 'or set KLAXON_ONCALL_API_ID');
    required(c.oncall.apiKey, 'oncall.apiKey', 'or set KLAXON_ONCALL_API_KEY');
    required(c.oncall.restEndpointKey, 'oncall.restEndpointKey', 'or set KLAXON_ONCALL_REST_ENDPOINT_KEY');
  }
  checkPagerDuty(c, problem, warnings);
  if (c.targets.length === 0) problem('targets', 'must list at least one page target');
  const ids = new Set<string>();
  c.targets.forEach((t, i) => {
    if (ids.has(t.id)) problem(`targets.${i}.id`, `"${t.id}" is used twice`);
    ids.add(t.id);
  });
  const defaults = c.targets.filter((t) => t.default).length;
  if (c.targets.length === 1 && defaults === 0) c.targets[0]!.default = true;
  else if (c.targets.length > 0 && defaults !== 1)
    problem('targets', `exactly one target must have default: true (found ${defaults})`);
  if (c.storage.postgresUrl && !c.sessionSecret)
    problem(
      'sessionSecret',
      'must be set when storage.postgresUrl is: every server on the database must sign and check web session cookies with the same secret (set KLAXON_SESSION_SECRET, the same on every server).',
    );
  if (c.sessionSecret && c.sessionSecret.length < 32) problem('sessionSecret', 'must be at least 32 characters');
  if (c.delivery.maxDelayMs < c.delivery.baseDelayMs)
    problem('delivery.maxDelayMs', 'must be at least delivery.baseDelayMs');
  checkChat(c.chat, problem);
  if (c.oncall.pollIntervalSeconds < MIN_POLL_INTERVAL_SECONDS) {
    warnings.push(
      `oncall.pollIntervalSeconds: ${c.oncall.pollIntervalSeconds} s is faster than On-Call's rate limit allows; using ${MIN_POLL_INTERVAL_SECONDS} s.`,
    );
    c.oncall.pollIntervalSeconds = MIN_POLL_INTERVAL_SECONDS;
  }
  checkEscalation(c, problem);
  for (const [user, zone] of Object.entries(c.oncall.timeZones)) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      problem(`oncall.timeZones.${user}`, `"${zone}" is not an IANA time zone`);
    }
  }
  if (c.publicUrl === null && !isLoopbackHost(c.listen.host)) {
    warnings.push(
      `publicUrl is not set while listen.host is "${c.listen.host}": browser sign-in would send people back to http://127.0.0.1:<port>, which only works on this machine. Set publicUrl (or KLAXON_PUBLIC_URL) to the address browsers use, e.g. https://klaxon.example.org.`,
    );
  }
  for (const key of ['dsn', 'clientDsn'] as const) {
    const dsn = c.sentry[key]?.trim() || null;
    c.sentry[key] = dsn;
    const parsed = dsn === null ? null : parseSentryDsn(dsn);
    if (parsed && 'error' in parsed) throw new ConfigError(`sentry.${key}: ${parsed.error}`, `sentry.${key}`);
  }
  if (!c.sessionSecret)
    warnings.push(
      'sessionSecret is not set: using a random one, so web sign-ins end when the server restarts. Set KLAXON_SESSION_SECRET.',
    );
  if (c.fallbackContacts.length === 0)
    warnings.push(
      'fallbackContacts is empty: when paging fails or is rate-limited, people are only told to ask their team lead. Add at least one way to reach SRE without Klaxon (a phone number, a chat channel) to fallbackContacts.',
    );
  return problems;
}

/** The `pagerduty` block and the targets on PagerDuty. */
function checkPagerDuty(c: ServerConfig, problem: (key: string, message: string) => void, warnings: string[]): void {
  c.targets.forEach((t, i) => {
    if (t.backend !== 'pagerduty') {
      if (t.service !== null)
        problem(`targets.${i}.service`, 'is only for targets on PagerDuty (backend: pagerduty); remove it');
      return;
    }
    if (!c.pagerduty) problem(`targets.${i}.backend`, 'is pagerduty, but the configuration has no pagerduty block');
    if (t.service === null)
      problem(
        `targets.${i}.service`,
        'must be set for a target on PagerDuty: the id of the service (e.g. PSVSRE1) whose Events API v2 integration key is routingKey',
      );
    if (t.routingKey.length !== PAGERDUTY_KEY_LENGTH)
      problem(
        `targets.${i}.routingKey`,
        `must be the ${PAGERDUTY_KEY_LENGTH}-character integration key of the service's Events API v2 integration (it has ${t.routingKey.length})`,
      );
  });
  const pd = c.pagerduty;
  if (!pd) return;
  if (!pd.apiToken.trim()) problem('pagerduty.apiToken', 'must be set (or set KLAXON_PAGERDUTY_API_TOKEN)');
  if (pd.pollIntervalSeconds < MIN_POLL_INTERVAL_SECONDS) {
    warnings.push(
      `pagerduty.pollIntervalSeconds: ${pd.pollIntervalSeconds} s is faster than Klaxon asks PagerDuty; using ${MIN_POLL_INTERVAL_SECONDS} s.`,
    );
    pd.pollIntervalSeconds = MIN_POLL_INTERVAL_SECONDS;
  }
  if (!c.targets.some((t) => t.backend === 'pagerduty'))
    warnings.push(
      'pagerduty is configured but no target pages PagerDuty (targets[].backend: pagerduty): its incidents are shown, nobody can page through it.',
    );
}

/** Chat channels: names unique (the queue is keyed by them), what each kind needs, no SASL in clear. */
function checkChat(chat: ServerConfig['chat'], problem: (key: string, message: string) => void): void {
  const names = new Map<string, string>();
  const named = (name: string, key: string) => {
    const first = names.get(name);
    if (first) problem(key, `"${name}" is already the name of ${first}; every chat channel needs its own name`);
    else names.set(name, key);
  };
  chat.irc.forEach((irc, i) => {
    named(irc.name, `chat.irc.${i}.name`);
    if (irc.sasl && !irc.tls)
      problem(`chat.irc.${i}.sasl`, 'needs chat.irc.' + i + '.tls: true, so the password is not sent in clear');
  });
  chat.webhooks.forEach((w, i) => {
    named(w.name, `chat.webhooks.${i}.name`);
    if (w.type === 'matrix') {
      if (!w.roomId?.trim())
        problem(`chat.webhooks.${i}.roomId`, 'must be set for a matrix webhook (e.g. "!abc:example.org")');
      if (!w.accessToken?.trim())
        problem(
          `chat.webhooks.${i}.accessToken`,
          'must be set for a matrix webhook (the access token of the posting account)',
        );
    } else {
      if (w.roomId !== null)
        problem(`chat.webhooks.${i}.roomId`, `is only for matrix; a ${w.type} webhook's URL names its channel`);
      if (w.accessToken !== null)
        problem(`chat.webhooks.${i}.accessToken`, `is only for matrix; a ${w.type} webhook's URL is its secret`);
    }
  });
  if (chat.maxDelayMs < chat.baseDelayMs) problem('chat.maxDelayMs', 'must be at least chat.baseDelayMs');
}
