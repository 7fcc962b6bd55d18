/**
 * Validates PagerDuty requests and responses against PagerDuty's published OpenAPI documents
 * (REST API v2 and Events API v2, from the public repository PagerDuty/api-schema; see
 * test/fixtures/pagerduty/README.md for where the documents come from and where they are looked
 * for). Used by the simulator's conformance tests and, later, by the PagerDuty backend's tests to
 * check the requests its real client sends.
 *
 * OpenAPI 3.0 is not JSON Schema: `nullable`, `$ref`s into `#/components/…` (even into the middle
 * of another schema), parameters described outside the body, and formats such as `url` and
 * `tzinfo`. Each document is registered with Ajv whole and schemas are compiled by JSON pointer,
 * so every `$ref` resolves inside its own document. Where the official document contradicts
 * PagerDuty's own documentation or examples, ERRATA below corrects it, each with its reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;
export type PagerDutyApi = 'rest' | 'events';

export interface PagerDutyOpenApiDocuments {
  rest: Json;
  events: Json;
  /** Where they were read from, for messages. */
  source: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PAGERDUTY_FIXTURE_DIR = join(REPO_ROOT, 'test/fixtures/pagerduty');

/** File names in a trimmed copy, and in a checkout of PagerDuty/api-schema. */
const LAYOUTS = [
  { rest: 'rest-openapiv3.json', events: 'events-v2-openapiv3.json' },
  { rest: 'reference/REST/openapiv3.json', events: 'reference/events-v2/openapiv3.json' },
];

function candidateDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.KLAXON_PAGERDUTY_OPENAPI_DIR) dirs.push(resolve(process.env.KLAXON_PAGERDUTY_OPENAPI_DIR));
  dirs.push(PAGERDUTY_FIXTURE_DIR);
  // A shared/ folder beside the checkout or one of its parents (CI clones next to shared/).
  for (let d = REPO_ROOT; ; d = dirname(d)) {
    dirs.push(join(d, 'shared/reference/pagerduty'));
    if (dirname(d) === d) break;
  }
  return dirs;
}

/** The two documents, or why they could not be found (callers skip and say so). */
export function findPagerDutyOpenApi(): { docs: PagerDutyOpenApiDocuments } | { missing: string } {
  const dirs = candidateDirs();
  for (const dir of dirs)
    for (const l of LAYOUTS) {
      const rest = join(dir, l.rest);
      const events = join(dir, l.events);
      if (existsSync(rest) && existsSync(events))
        return {
          docs: {
            rest: JSON.parse(readFileSync(rest, 'utf8')) as Json,
            events: JSON.parse(readFileSync(events, 'utf8')) as Json,
            source: dir,
          },
        };
    }
  return {
    missing:
      `PagerDuty's OpenAPI documents were not found (looked in ${dirs.slice(0, 3).join(', ')}, …). ` +
      'Set KLAXON_PAGERDUTY_OPENAPI_DIR to a checkout of PagerDuty/api-schema; test/fixtures/pagerduty/README.md says which commit.',
  };
}

// ---------------------------------------------------------------------------------------------
// Errata: where the official document is wrong against PagerDuty's own documentation.

interface Erratum {
  api: PagerDutyApi;
  /** JSON pointer of the node to change. */
  pointer: string;
  why: string;
  fix: (node: Json) => Json;
}

/** A node that may also be null (works with and without `type`, and beside `$ref`). */
const orNull = (node: Json): Json => ({ anyOf: [node, { type: 'null' }] });

export const ERRATA: readonly Erratum[] = [
  {
    api: 'rest',
    pointer: '/components/schemas/Pagination/properties/total',
    why: 'The pagination guide says `total` is null unless `total=true` is sent; the schema says integer only.',
    fix: orNull,
  },
  ...['start', 'end', 'schedule'].map((p) => ({
    api: 'rest' as const,
    pointer: `/components/schemas/Oncall/properties/${p}`,
    why: 'The Oncall schema says start/end are null for a permanent on-call (a user named directly in a rule), which has no schedule either (`schedule_ids[]` documents `null` for them); the types do not allow null.',
    fix: orNull,
  })),
  ...['resolved_at', 'alert_grouping', 'resolve_reason'].map((p) => ({
    api: 'rest' as const,
    pointer: `/components/schemas/Incident/allOf/1/properties/${p}`,
    why: 'Described (resolved_at, alert_grouping) or shown in the official example (resolve_reason) as null; the types do not allow null.',
    fix: orNull,
  })),
  ...['auto_resolve_timeout', 'acknowledgement_timeout'].map((p) => ({
    api: 'rest' as const,
    pointer: `/components/schemas/Service/allOf/1/properties/${p}`,
    why: 'Described as `null` when the feature is disabled; the type does not allow null.',
    fix: orNull,
  })),
  {
    api: 'rest',
    pointer: '/components/schemas/AcknowledgeLogEntry/allOf/1/properties/type',
    why: 'Its enum says `acknowledgement_log_entry` while LogEntry (which it extends) allows only `acknowledge_log_entry`: no object satisfies both.',
    fix: (n) => ({ ...n, enum: ['acknowledge_log_entry'] }),
  },
  {
    api: 'rest',
    pointer: '/components/schemas/Channel',
    why: 'A `oneOf` of channel formats told apart only in prose ("Will be `api`"): any channel matches several branches, so `oneOf` fails for every log entry. Read as `anyOf`.',
    fix: ({ oneOf, ...rest }) => ({ ...rest, anyOf: oneOf }),
  },
  ...(['400', '429'] as const).map((status) => ({
    api: 'events' as const,
    pointer: `/paths/~1enqueue/post/responses/${status}`,
    why: 'The response puts "#/components/responses/…" in `description` instead of `$ref`, and names responses the document does not define; PagerDuty answers with the `Error` body (status, message, errors).',
    fix: () => ({ $ref: '#/components/responses/Error' }),
  })),
];

function pointerGet(doc: Json, pointer: string): { parent: Json; key: string } | null {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc;
  for (const p of parts.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Json)[p];
  }
  const key = parts.at(-1)!;
  return typeof node === 'object' && node !== null && key in (node as Json) ? { parent: node as Json, key } : null;
}

// ---------------------------------------------------------------------------------------------

export interface ResponseToCheck {
  api: PagerDutyApi;
  method: string;
  /** A concrete path (`/incidents/PXXXX`) or a template (`/incidents/{id}`); the query string is ignored. */
  path: string;
  status: number;
  body: unknown;
}

export interface RequestToCheck {
  api: PagerDutyApi;
  method: string;
  /** Path with an optional query string, e.g. `/incidents?statuses[]=triggered`. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Operation {
  template: string;
  op: Json;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export class PagerDutyOpenApi {
  private readonly ajv: Ajv;
  private readonly docs: Record<PagerDutyApi, Json>;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Operations the checks have been asked about, for coverage assertions. */
  readonly seen = new Set<string>();

  constructor(docs: PagerDutyOpenApiDocuments) {
    this.docs = { rest: structuredClone(docs.rest), events: structuredClone(docs.events) };
    for (const e of ERRATA) {
      const at = pointerGet(this.docs[e.api], e.pointer);
      if (at) at.parent[at.key] = e.fix(at.parent[at.key] as Json);
    }
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.ajv);
    // `url` is no JSON Schema format; ajv-formats' version refuses loopback and private hosts, so
    // any absolute http(s) URL passes here (PagerDuty's `self` links point at whatever host served them).
    this.ajv.addFormat('url', (u: string) => /^https?:\/\//.test(u) && URL.canParse(u));
    // `tzinfo` (User.time_zone) is an IANA zone name.
    this.ajv.addFormat('tzinfo', (tz: string) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    });
    this.ajv.addSchema(this.docs.rest, 'pd-rest');
    this.ajv.addSchema(this.docs.events, 'pd-events');
  }

  /** The documented operation for a method and concrete path, or null. */
  operation(api: PagerDutyApi, method: string, path: string): Operation | null {
    const pathname = path.split('?')[0]!;
    const paths = this.docs[api].paths as Record<string, Json>;
    const m = method.toLowerCase();
    for (const [template, item] of Object.entries(paths)) {
      if (!item[m]) continue;
      const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      if (template === pathname || re.test(pathname)) return { template, op: item[m] as Json };
    }
    return null;
  }

  /** Problems with a response; empty when it conforms (status documented, body valid). */
  checkResponse(r: ResponseToCheck): string[] {
    const found = this.operation(r.api, r.method, r.path);
    if (!found) return [`${r.method} ${r.path} is not in the ${r.api} document`];
    const name = `${r.method.toUpperCase()} ${found.template}`;
    this.seen.add(`${name} -> ${r.status}`);
    const responses = found.op.responses as Record<string, Json>;
    const key = [String(r.status), `${String(r.status)[0]}XX`, 'default'].find((k) => k in responses);
    if (!key)
      return [`${name}: status ${r.status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const response = this.deref(r.api, responses[key]!);
    const content = response.content as Record<string, Json> | undefined;
    const media = content?.['application/json'];
    if (!media?.schema)
      return r.body === undefined || r.body === '' ? [] : [`${name} ${r.status}: no body is documented`];
    const ref = responses[key]!.$ref as string | undefined;
    const pointer = ref ? ref.slice(1) : `${this.opPointer(found.template, r.method)}/responses/${key}`;
    return this.validate(r.api, `${pointer}/content/application~1json/schema`, r.body, `${name} ${r.status}`);
  }

  /** Problems with a request: unknown or missing parameters, bad values, body not matching the schema. */
  checkRequest(r: RequestToCheck): string[] {
    const found = this.operation(r.api, r.method, r.path);
    if (!found) return [`${r.method} ${r.path} is not in the ${r.api} document`];
    const name = `${r.method.toUpperCase()} ${found.template}`;
    this.seen.add(`${name} (request)`);
    const problems: string[] = [];
    const url = new URL(r.path, 'http://pagerduty.invalid');
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const params = ((found.op.parameters as Json[] | undefined) ?? []).map((p) => this.deref(r.api, p));
    const known = new Set<string>();
    for (const p of params) {
      const pname = String(p.name);
      const schema = (p.schema ?? {}) as Json;
      if (p.in === 'query') {
        known.add(pname);
        const values = url.searchParams.getAll(pname);
        if (values.length === 0) {
          if (p.required) problems.push(`${name}: query parameter ${pname} is required`);
          continue;
        }
        const isArray = schema.type === 'array';
        const items = (isArray ? schema.items : schema) as Json;
        const coerced = values.map((v) => coerce(v, items));
        if (!isArray && !pname.endsWith('[]') && values.length > 1)
          problems.push(`${name}: query parameter ${pname} is given ${values.length} times`);
        // A repeated `name[]` whose schema is not an array (statuses[]) is checked value by value.
        if (isArray) problems.push(...this.validateInline(r.api, schema, coerced, `${name} ?${pname}`));
        else for (const v of coerced) problems.push(...this.validateInline(r.api, items, v, `${name} ?${pname}`));
      } else if (p.in === 'header') {
        const v = headers[pname.toLowerCase()];
        // Content-Type is marked required on every operation, even GETs that carry no body.
        const required = p.required && !(pname.toLowerCase() === 'content-type' && r.body === undefined);
        if (v === undefined) {
          if (required) problems.push(`${name}: header ${pname} is required`);
          continue;
        }
        // The Content-Type enum is `application/json`; a charset parameter is still JSON.
        const checked = pname.toLowerCase() === 'content-type' ? v.split(';')[0]!.trim() : v;
        problems.push(...this.validateInline(r.api, schema, checked, `${name} header ${pname}`));
      }
    }
    for (const q of new Set(url.searchParams.keys()))
      if (!known.has(q)) problems.push(`${name}: query parameter ${q} is not documented`);
    const body = found.op.requestBody ? this.deref(r.api, found.op.requestBody as Json) : undefined;
    if (body) {
      if (r.body === undefined) {
        if (body.required) problems.push(`${name}: a body is required`);
      } else {
        const ref = (found.op.requestBody as Json).$ref as string | undefined;
        const schemaPointer = `${ref ? ref.slice(1) : `${this.opPointer(found.template, r.method)}/requestBody`}/content/application~1json/schema`;
        problems.push(...this.validate(r.api, schemaPointer, r.body, `${name} body`));
      }
    } else if (r.body !== undefined) problems.push(`${name}: no body is documented`);
    return problems;
  }

  private opPointer(template: string, method: string): string {
    return `/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}`;
  }

  private deref(api: PagerDutyApi, node: Json): Json {
    let n = node;
    for (let k = 0; k < 10 && typeof n.$ref === 'string'; k++) {
      const at = pointerGet(this.docs[api], (n.$ref as string).slice(1));
      if (!at) throw new Error(`Unresolvable $ref ${String(n.$ref)} in the ${api} document`);
      n = at.parent[at.key] as Json;
    }
    return n;
  }

  private validate(api: PagerDutyApi, pointer: string, value: unknown, what: string): string[] {
    const id = `pd-${api}#${pointer}`;
    let fn = this.compiled.get(id);
    if (!fn) {
      fn = this.ajv.compile({ $ref: id });
      this.compiled.set(id, fn);
    }
    return fn(value) ? [] : describe(fn.errors ?? [], what);
  }

  private validateInline(api: PagerDutyApi, schema: Json, value: unknown, what: string): string[] {
    const ref = schema.$ref as string | undefined;
    if (ref) return this.validate(api, ref.slice(1), value, what);
    const fn = this.ajv.compile(schema);
    return fn(value) ? [] : describe(fn.errors ?? [], what);
  }
}

function coerce(v: string, schema: Json | undefined): unknown {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') return v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
  if (type === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
  return v;
}

/** Ajv's errors, fewest words first: oneOf/anyOf failures list every branch, so keep the leaves. */
function describe(errors: ErrorObject[], what: string): string[] {
  const leaves = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'allOf');
  const shown = (leaves.length > 0 ? leaves : errors).slice(0, 8);
  return shown.map(
    (e) =>
      `${what}: ${e.instancePath || '(root)'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}
