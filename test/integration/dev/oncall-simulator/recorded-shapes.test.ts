/**
 * Contract against what clients nobody on this project wrote record or read (test/fixtures/oncall/):
 * for every endpoint a fixture covers, the simulator answers with the same field names and JSON types,
 * and accepts the request bodies those clients send.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_POLICY_BATPHONE,
  DEMO_POLICY_SRE,
  startOnCallSimulator,
  type RunningSimulator,
} from '#dev/oncall-simulator/index.js';
import { byEntity, listIncidents, vo } from '#test/support/vo-client.js';

type Shape = 'string' | 'number' | 'boolean' | 'date-time' | Shape[] | { [field: string]: Shape };

interface Entry {
  name: string;
  kind: 'response' | 'request' | 'error-text';
  method: string;
  path: string;
  from: string;
  shape?: Shape;
  answer?: Shape;
  equals?: Record<string, unknown>;
  answerEquals?: Record<string, unknown>;
  status?: number;
  text?: string;
  again?: number;
}

interface Fixture {
  file: string;
  source: { repository: string; commit: string; licence: string };
  shapes: Entry[];
}

const DIR = path.resolve(import.meta.dirname, '../../../fixtures/oncall');
const fixtures: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Omit<Fixture, 'file'>) }));

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every place `value` departs from `shape`: a missing field or another JSON type. With `covered`,
 * also every list the recording has items in that is empty everywhere in the answer (an empty list
 * would prove nothing about its items).
 */
function mismatches(value: unknown, shape: Shape, covered = true): string[] {
  const errors: string[] = [];
  const filled = new Set<string>();
  const lists = new Set<string>();
  const walk = (v: unknown, s: Shape, at: string): void => {
    if (Array.isArray(s)) {
      lists.add(at);
      if (!Array.isArray(v)) return void errors.push(`${at}: expected a list, got ${typeOf(v)}`);
      if (v.length > 0) filled.add(at);
      v.forEach((item) => walk(item, s[0]!, `${at}[]`));
    } else if (typeof s === 'object') {
      if (!isObject(v)) return void errors.push(`${at}: expected an object, got ${typeOf(v)}`);
      for (const [k, sub] of Object.entries(s)) {
        if (k in v) walk(v[k], sub, `${at}.${k}`);
        else errors.push(`${at}.${k}: missing`);
      }
    } else if (s === 'date-time') {
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
        errors.push(`${at}: expected an ISO-8601 time, got ${JSON.stringify(v)}`);
    } else if (typeof v !== s) errors.push(`${at}: expected ${s}, got ${typeOf(v)}`);
  };
  walk(value, shape, '$');
  if (covered)
    for (const at of lists) if (!filled.has(at)) errors.push(`${at}: the recording has items, the answer none`);
  return [...new Set(errors)];
}

/** Every value of `key` anywhere in `v`. */
function valuesOf(v: unknown, key: string): unknown[] {
  if (Array.isArray(v)) return v.flatMap((x) => valuesOf(x, key));
  if (!isObject(v)) return [];
  return Object.entries(v).flatMap(([k, x]) => [...(k === key ? [x] : []), ...valuesOf(x, key)]);
}

function expectEquals(v: unknown, equals: Record<string, unknown> | undefined): void {
  for (const [key, want] of Object.entries(equals ?? {})) {
    const found = valuesOf(v, key);
    expect(found.length, `no "${key}" found`).toBeGreaterThan(0);
    for (const got of found) expect(got, key).toEqual(want);
  }
}

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startOnCallSimulator({ rateLimit: false, org: 'realistic' });
});
beforeEach(() => {
  sim.control.reset('demo', 'realistic');
  sim.control.setFaults({});
});
afterAll(async () => {
  await sim.close();
});

const concrete = (p: string) => p.replace('{policy}', DEMO_POLICY_SRE).replace('{user}', 'carol');

/** How each recorded request is sent, and what must follow. Keyed by the fixture entry's name. */
const requests: Record<string, (e: Entry) => Promise<void>> = {
  'rest-endpoint-alert': async (e) => {
    const body = { message_type: 'CRITICAL', entity_display_name: 'Klaxonbot', state_message: 'You missed a page' };
    check(body, e);
    const res = await fetch(`${sim.restEndpointBaseUrl}/${sim.restEndpointKey}/sre`, {
      method: e.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { entity_id: string };
    expect(res.status).toBe(200);
    expect(mismatches(answer, e.answer!)).toEqual([]);
    expectEquals(answer, e.answerEquals);
    // Wikimedia sends no entity_id: each page is a new incident, under the generated one.
    expect((await byEntity(sim, answer.entity_id))[0]).toMatchObject({ entityDisplayName: 'Klaxonbot' });
  },
  reroute: async (e) => {
    const unpaged = (await listIncidents(sim)).filter(
      (i) => i.currentPhase === 'UNACKED' && (i.pagedUsers as string[]).length === 0,
    );
    expect(unpaged.length).toBeGreaterThan(0);
    const body = {
      userName: 'escalator_sysuser',
      reroutes: unpaged.map((i) => ({
        incidentNumber: i.incidentNumber,
        targets: [{ type: 'EscalationPolicy', slug: DEMO_POLICY_BATPHONE }],
      })),
    };
    check(body, e);
    const r = await vo(sim, e.method, e.path, body);
    expect(r.status).toBe(200);
    for (const i of unpaged) expect((await byEntity(sim, i.entityId))[0]!.pagedUsers).not.toEqual([]);
  },
  'maintenance-mode-start': async (e) => {
    const body = { names: [] };
    check(body, e);
    const r = await vo(sim, e.method, e.path, body);
    expect(r.status).toBe(200);
    expect(mismatches(r.body, e.answer!)).toEqual([]);
    expectEquals(r.body, e.answerEquals);
    expect((await vo(sim, e.method, e.path, body)).status).toBe(e.again);
  },
};

/** A recorded request body: our test must send what the recording shows (empty lists allowed). */
function check(body: unknown, e: Entry): void {
  expect(mismatches(body, e.shape!, false), 'the test sends the recorded shape').toEqual([]);
  expectEquals(body, e.equals);
}

/** What must exist before a recorded answer can be compared item by item. */
const before: Record<string, () => void> = {
  'maintenance-mode': () => void sim.control.startMaintenance({ routingKeys: ['tickets'] }),
};

for (const f of fixtures) {
  describe(`${f.source.repository} (${f.file})`, () => {
    for (const e of f.shapes) {
      it(`${e.method} ${e.path} (${e.name}): ${e.from}`, async () => {
        if (e.kind === 'response') {
          before[e.name]?.();
          const r = await vo(sim, e.method, concrete(e.path));
          expect(r.status, r.text).toBe(200);
          expect(mismatches(r.body, e.shape!)).toEqual([]);
        } else if (e.kind === 'error-text') {
          sim.control.setFaults({ errorRate: 1, errorStatus: e.status as 503, paths: [e.path] });
          const r = await vo(sim, e.method, e.path);
          expect([r.status, r.text, r.contentType]).toEqual([e.status, e.text, expect.stringMatching(/^text\/plain/)]);
        } else {
          const send = requests[e.name];
          expect(send, `no way to send the recorded request "${e.name}"`).toBeDefined();
          await send!(e);
        }
      });
    }
  });
}

describe('the fixtures themselves', () => {
  it('name their source, commit and licence, and use only known kinds', () => {
    expect(fixtures.map((f) => f.file)).toEqual(['go-victorops.json', 'synergy.json', 'wikimedia-klaxon.json']);
    for (const f of fixtures) {
      expect(f.source).toEqual({
        repository: expect.any(String),
        commit: expect.any(String),
        licence: expect.any(String),
      });
      for (const e of f.shapes) expect(['response', 'request', 'error-text']).toContain(e.kind);
    }
  });

  it('catch a missing field, another type and an empty list (the checker checks)', () => {
    const shape: Shape = { a: 'string', b: [{ c: 'number' }], d: 'date-time' };
    expect(mismatches({ a: 1, b: [], d: 'soon' }, shape)).toEqual([
      '$.a: expected string, got number',
      '$.d: expected an ISO-8601 time, got "soon"',
      '$.b: the recording has items, the answer none',
    ]);
    expect(mismatches({ b: [{ c: '1' }], d: '2020-12-22T19:02:09.62204Z' }, shape)).toEqual([
      '$.a: missing',
      '$.b[].c: expected number, got string',
    ]);
  });
});
