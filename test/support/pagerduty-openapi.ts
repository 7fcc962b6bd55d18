/**
 * Validates PagerDuty requests and responses against Klaxon's own description of the parts of
 * PagerDuty's REST API v2 and Events API v2 it uses (test/fixtures/pagerduty/schemas/, written from
 * PagerDuty's public documentation; its README says from which sources and where they differ from
 * PagerDuty's published OpenAPI documents). Used by the simulator's conformance tests and by the
 * PagerDuty backend's, which check the requests the real client sends.
 *
 * The descriptions are OpenAPI 3 documents whose schemas are plain JSON Schema (nulls as
 * `type: [..., "null"]`). Each document is registered with Ajv whole and schemas are compiled by
 * JSON pointer, so every `$ref` resolves inside its own document.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;
export type PagerDutyApi = 'rest' | 'events';

export interface PagerDutyOpenApiDocuments {
  rest: Json;
  events: Json;
}

const SCHEMA_DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'test/fixtures/pagerduty/schemas');

/** The two descriptions, as committed beside their README. */
export function pagerDutyOpenApiDocuments(): PagerDutyOpenApiDocuments {
  const read = (name: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, name), 'utf8')) as Json;
  return { rest: read('rest-api-v2.json'), events: read('events-api-v2.json') };
}

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
    this.docs = { rest: docs.rest, events: docs.events };
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
    addFormats(this.ajv);
    // User.time_zone and the time_zone parameters: an IANA zone name.
    this.ajv.addFormat('iana-time-zone', (tz: string) => {
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
        if (!isArray && values.length > 1)
          problems.push(`${name}: query parameter ${pname} is given ${values.length} times`);
        if (isArray) problems.push(...this.validateInline(r.api, schema, coerced, `${name} ?${pname}`));
        else for (const v of coerced) problems.push(...this.validateInline(r.api, items, v, `${name} ?${pname}`));
      } else if (p.in === 'header') {
        const v = headers[pname.toLowerCase()];
        if (v === undefined) {
          if (p.required) problems.push(`${name}: header ${pname} is required`);
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
      if (r.body !== undefined && !headers['content-type'])
        problems.push(`${name}: a body is sent without Content-Type`);
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
